"""Tests for the pure domain layer (ai_agents.core)."""
