"""Property-based API test (Schemathesis, in-process): ~2,000 generated requests from /api/openapi.json,
valid and invalid, with the API token: never a 5xx, always the envelope."""

from __future__ import annotations

import re
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from ai_agents.api import build_api
from ai_agents.services.context import ContextSlot

TOKEN = "schemathesis-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES_PER_OPERATION = 80  # about half valid, half invalid requests
TIME_LIMIT_SECONDS = 120
PUBLIC = {"/api/health"}
SIGNED = {"/api/webhooks/whatsapp", "/api/webhooks/instagram"}  # no token: Meta's verify token or signature


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def settings_overrides() -> dict:
    return {"api_token": TOKEN}


def _check_envelope(response, case) -> None:
    where = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    assert response.status_code < 500, where
    if response.status_code == 200 and response.headers.get("content-type", [""])[0].startswith("text/csv"):
        return  # the export download
    body = response.json()
    assert {"status", "code", "message", "results"} <= set(body), where
    assert body["status"] == response.status_code and isinstance(body["message"], str), where
    if response.status_code == 422:
        assert body["errors"] and all(e["field"] and e["message"] for e in body["errors"]), where


def _fuzz(operation, counter: list[int], failures: list[str]) -> None:
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,  # the same cases on every run
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case) -> None:
        counter[0] += 1
        try:
            response = case.call(headers=AUTH)
        except Exception as exc:  # the test client re-raises what the app did not handle (a 500)
            failures.append(f"{case.method} {case.formatted_path} raised {exc!r}")
            return
        try:
            _check_envelope(response, case)
        except (AssertionError, ValueError) as failure:  # collected, so one run reports every problem
            failures.append(str(failure).splitlines()[0])

    run()


async def test_generated_requests_never_get_a_server_error_and_always_the_envelope(ctx):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", build_api(ContextSlot(ctx)))
    operations = [result.ok() for result in schema.get_all_operations()]
    counter, failures, started = [0], [], time.monotonic()
    for operation in operations:
        _fuzz(operation, counter, failures)
    elapsed = time.monotonic() - started
    print(f"schemathesis: {counter[0]} cases over {len(operations)} operations in {elapsed:.1f} s")
    assert failures == [], f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures))[:30])
    assert len(operations) >= 30 and counter[0] >= 2000
    assert elapsed < TIME_LIMIT_SECONDS


async def test_every_operation_but_health_and_the_signed_webhooks_needs_the_token(api):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", build_api())
    for operation in (result.ok() for result in schema.get_all_operations()):
        path = re.sub(r"{\w+}", "1", operation.path)
        response = await api.request(operation.method.upper(), path, json={})
        expected = 200 if operation.path in PUBLIC else 403 if operation.path in SIGNED else 401
        assert response.status_code == expected, (operation.path, response.text)
        assert response.json()["status"] == expected
