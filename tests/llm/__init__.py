"""Tests of ai_agents.llm."""
