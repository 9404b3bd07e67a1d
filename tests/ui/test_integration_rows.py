"""Integrations page pieces without a browser: the row shown, and the form turned into the API's body."""

from __future__ import annotations

from ai_agents.ui.components.integration_rows import integration_row
from ai_agents.ui.pages.integrations_state import _connect_body

VIEW = {
    "id": 4, "agent_id": 1, "type": "whatsapp", "provider": "whatsapp_device", "name": "Front desk",
    "display_name": "+15550001111 (Shop)", "is_enabled": True, "status": "waiting_qr", "last_error": "scan it",
    "credentials_error": None, "token": None, "rate_limit_per_second": 2.5, "per_chat_rate_limit_per_second": None,
    "webhook_path": None,
}


def test_a_row_shows_status_reason_rates_and_who():
    row = integration_row(VIEW, {1: "Shop"})
    assert (row["status"], row["color"], row["reason"]) == ("waiting for QR scan", "amber", "scan it")
    assert row["rates"] == "2.5/s · default per chat" and (row["rate"], row["per_chat_rate"]) == ("2.5", "")
    assert (row["agent"], row["detail"], row["device"], row["linked"]) == ("Shop", "+15550001111 (Shop)", True, False)
    unreadable = integration_row({**VIEW, "credentials_error": "enter the token again", "token": "12...abcd"}, {})
    assert unreadable["reason"] == "enter the token again" and unreadable["detail"] == "12...abcd"
    assert unreadable["agent"] == "agent 1"


def test_the_connect_body_has_only_the_chosen_type_fields_and_no_empty_ones():
    form = {"token": " 1:abc ", "page_id": "99", "api_base_url": "", "name": "Bot", "rate_limit_per_second": "3"}
    assert _connect_body("telegram", form) == {"type": "telegram", "token": "1:abc", "name": "Bot",
                                               "rate_limit_per_second": "3"}
    assert _connect_body("instagram", form) == {"type": "instagram", "page_id": "99", "name": "Bot",
                                                "rate_limit_per_second": "3"}
