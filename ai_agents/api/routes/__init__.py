"""The explicit list of API routers, in matching order (the fallback last)."""

from ai_agents.api.routes import agents, fallback, health

ROUTERS = [health.router, agents.router, fallback.router]
