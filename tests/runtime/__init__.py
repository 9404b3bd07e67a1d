"""Tests of ai_agents.runtime."""
