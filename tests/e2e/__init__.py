"""End-to-end tests: the real server, driven with REST and Chromium."""
