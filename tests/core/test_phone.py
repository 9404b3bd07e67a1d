"""E.164 normalisation of phone numbers and phone JIDs."""

import pytest

from ai_agents.core.phone import is_e164, phone_jid, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1234567890", "+1234567890"),
        ("1234567890", "+1234567890"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("0014155550100", "+14155550100"),
        ("1234567890@s.whatsapp.net", "+1234567890"),
        ("1234567890:12@s.whatsapp.net", "+1234567890"),
    ],
)
def test_phone_numbers_and_phone_jids_become_one_e164_number(raw, expected):
    assert to_e164(raw) == expected


@pytest.mark.parametrize(
    "raw", ["120363025246125244@g.us", "99887766@lid", "status@broadcast", "hello", "+0123456789", "+123"]
)
def test_what_is_not_a_phone_number_gives_none(raw):
    assert to_e164(raw) is None


def test_phone_jid_is_the_inverse_of_to_e164():
    assert phone_jid("+1234567890") == "1234567890@s.whatsapp.net"
    assert to_e164(phone_jid("+44 20 7946 0958")) == "+442079460958"
    assert is_e164("+442079460958") and not is_e164("442079460958")
    with pytest.raises(ValueError, match="E.164"):
        phone_jid("group@g.us")
