"""Tests of ai_agents.api."""
