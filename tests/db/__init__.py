"""Tests of ai_agents.db."""
