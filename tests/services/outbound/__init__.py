"""Tests of ai_agents.services.outbound."""
