"""Changing a connected integration's rate limits: stored in its config, defaults on null, checked."""

from __future__ import annotations

import pytest

from ai_agents.core.errors import NotFound, ValidationFailed
from ai_agents.db.models import Integration
from ai_agents.db.session import session_scope
from ai_agents.services.validation import parse
from ai_agents.services.workspace.integration_limits import RateLimits, set_rate_limits
from tests.support.outbox import make_integration


def config_of(ctx, integration_id: int) -> dict:
    with session_scope(ctx.engine) as session:
        return dict(session.get(Integration, integration_id).config)


async def test_a_rate_is_set_another_kept_and_null_returns_to_the_default(ctx):
    bot = make_integration(ctx, api_base_url="http://bots", per_chat_rate_limit_per_second=2.0)
    view = set_rate_limits(ctx, bot, RateLimits(rate_limit_per_second=5))
    assert view["rate_limit_per_second"] == 5 and view["per_chat_rate_limit_per_second"] == 2.0
    assert config_of(ctx, bot) == {"api_base_url": "http://bots", "per_chat_rate_limit_per_second": 2.0,
                                   "rate_limit_per_second": 5}
    view = set_rate_limits(ctx, bot, RateLimits(per_chat_rate_limit_per_second=None))
    assert view["per_chat_rate_limit_per_second"] is None
    assert config_of(ctx, bot) == {"api_base_url": "http://bots", "rate_limit_per_second": 5}


async def test_bad_rates_name_the_field(ctx):
    bot = make_integration(ctx)
    with pytest.raises(ValidationFailed) as zero:
        parse(RateLimits, {"rate_limit_per_second": 0})
    assert zero.value.problems[0].field == "rate_limit_per_second"
    with pytest.raises(ValidationFailed) as nothing:
        set_rate_limits(ctx, bot, RateLimits())
    assert nothing.value.problems[0].field == "body"
    with pytest.raises(NotFound):
        set_rate_limits(ctx, 999, RateLimits(rate_limit_per_second=1))
    assert config_of(ctx, bot) == {}
