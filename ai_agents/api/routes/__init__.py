"""The explicit list of API routers, in matching order (the fallback last)."""

from ai_agents.api.routes import (
    agents,
    alerts,
    broadcasts,
    conversations,
    dashboard,
    fallback,
    health,
    integrations,
    webhooks,
)

ROUTERS = [
    health.router,
    agents.router,
    broadcasts.router,
    integrations.router,
    conversations.router,
    alerts.router,
    dashboard.router,
    webhooks.router,
    fallback.router,
]
