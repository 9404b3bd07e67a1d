"""Tests of ai_agents.services.inbound."""
