"""Tests of ai_agents.net."""
