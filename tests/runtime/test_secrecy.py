"""Whatever a server echoes, the token never reaches a message, repr or log record."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from generator.runtime import RunComfyError
from generator.runtime._client import ClientBase
from generator.runtime._protocol import MIN_REDACTED_CHARS, Secret

from .conftest import TOKEN, Script, TinyEndpoint, TinyInput, fast, make_client, ok


def _texts(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), *map(repr, error.args)]
    texts += [repr(value) for value in vars(error).values()]
    issues = getattr(error, "issues", [])
    texts += [repr(issue) for issue in issues]
    return texts


def _failure(script: Script, action: str = "submit") -> RunComfyError:
    client, endpoint = make_client(script, max_retries=0)
    with client, pytest.raises(RunComfyError) as caught:
        if action == "submit":
            endpoint._submit(TinyInput(prompt="x"))
        else:
            endpoint._run(TinyInput(prompt="x"))
    return caught.value


@pytest.mark.parametrize(
    "answer",
    [
        # echoed in a header the client reads (x-request-id)
        httpx.Response(500, text="nope", headers={"x-request-id": f"id-{TOKEN}"}),
        # in an error body's message, keys and validation detail
        ok({"message": f"bad token {TOKEN}", f"k{TOKEN}": 1}, 401),
        ok({"message": "bad", "detail": [{"loc": ["body", TOKEN], "msg": TOKEN}]}, 422),
        ok({"message": "bad", "detail": {TOKEN: f"is {TOKEN}"}}, 400),
        # in a 200 error body and in a non-JSON body
        ok({"error_code": 400004, "error_message": f"who is {TOKEN}?"}),
        httpx.Response(502, text=f"<html>{TOKEN}</html>"),
        httpx.Response(200, text=f"not json {TOKEN}"),
    ],
)
def test_echoed_token_is_redacted_in_errors(answer: httpx.Response) -> None:
    error = _failure(Script().on("submit", answer))
    assert all(TOKEN not in text for text in _texts(error)), _texts(error)


def test_token_cut_at_the_truncation_boundary_is_redacted_first() -> None:
    # The token straddles character 200: cutting first would leave most of it behind.
    padding = "x" * (200 - len(TOKEN) // 2)
    error = _failure(Script().on("submit", httpx.Response(503, text=padding + TOKEN)))
    assert all(TOKEN[: len(TOKEN) // 2 + 1] not in text for text in _texts(error))


def test_token_as_a_status_value_and_in_a_jobs_error() -> None:
    script = Script().on("submit", ok({"request_id": "r1"}))
    script.on("result", ok({"status": TOKEN}), ok({"status": "failed", "error_message": TOKEN}))
    seen: list[Any] = []
    client, endpoint = make_client(script)
    with client, pytest.raises(RunComfyError) as caught:
        endpoint._run(TinyInput(prompt="x"), on_update=seen.append)
    assert all(TOKEN not in repr(update) for update in seen)
    assert all(TOKEN not in text for text in _texts(caught.value))


def test_nothing_logged_holds_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script().on("submit", ok({"message": TOKEN}, 503), ok({"request_id": TOKEN}))
    script.on("result", ok({"status": "completed", "output": {"image": [None, TOKEN]}}))
    client, endpoint = make_client(script)
    with client:
        result = endpoint._run(TinyInput(prompt="x"))
        assert TOKEN not in repr(client) + repr(endpoint) + repr(client._transport.settings)
    assert result.warnings and TOKEN not in repr(result.warnings) + repr(result.raw)
    assert caplog.records and TOKEN not in caplog.text


def test_json_escaped_token_is_redacted_too() -> None:
    token = "rc/secret\\token"  # JSON may write "/" as "\\/": scrub the parsed body always
    secret = Secret(token)
    assert secret.redact({"a": [f"x{token}y", {token: 1}]}) == {"a": ["x***y", {"***": 1}]}


@pytest.mark.parametrize("token", ["t", "status", "a-token"])
def test_a_short_test_token_leaves_answers_whole(token: str) -> None:
    """``serve --token t`` (docs/serve.md): a token under MIN_REDACTED_CHARS is not scrubbed,
    or every ``t`` of every answer would be replaced and no job could be followed."""
    assert len(token) < MIN_REDACTED_CHARS and Secret(token).redact(token) == token
    finished = {"request_id": "rt-1", "status": "completed", "output": {"status": token}}
    script = Script().on("submit", ok({"request_id": "rt-1", "status": "in_queue"}))
    script.on("result", ok(finished))
    http = httpx.Client(transport=httpx.MockTransport(script))
    client = ClientBase(token, http_client=http, **fast())
    with client:
        result = TinyEndpoint(client._transport)._run(TinyInput(prompt="x"))
    assert result.request_id == "rt-1" and result.raw == finished


def test_a_token_of_the_minimum_length_is_scrubbed() -> None:
    token = "k" * MIN_REDACTED_CHARS
    assert Secret(token).redact({f"a{token}": [token]}) == {"a***": ["***"]}
