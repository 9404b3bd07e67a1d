"""The running platform's context for UI state handlers: the slot of the app serving them."""

from __future__ import annotations

from reflex.utils.prerequisites import get_and_validate_app

from ai_agents.services.context import AppContext


def platform_context() -> AppContext:
    """The context of the Reflex app this state runs in, read the way its API reads it (the
    ContextSlot build_api put on the API app's state); Unavailable while it starts or stops."""
    api = get_and_validate_app().app.api_transformer
    return api.state.context_slot.get()
