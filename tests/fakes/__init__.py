"""Fake servers for tests: real HTTP, driven by the real client libraries."""
