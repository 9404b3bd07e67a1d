"""Test suite; mirrors the ai_agents package."""
