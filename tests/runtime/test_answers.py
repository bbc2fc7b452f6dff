"""Reading RunComfy's answers: every status and error spelling, cost, timestamps, User-Agent."""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from generator.runtime import (
    APIConnectionError,
    APIError,
    APIStatusError,
    ClientBase,
    ConfigurationError,
    InputRejectedError,
    InputValidationError,
    JobCancelledError,
    JobFailedError,
    JobNotFinishedError,
    ProtocolError,
    RunComfyError,
    ServerError,
    SubmissionUncertainError,
)
from generator.runtime._package import PACKAGE
from generator.runtime._protocol import normalize_status

from .conftest import TOKEN, Script, TinyInput, make_client, ok

RID = "req-123"
SUBMITTED = {"request_id": RID}


def _run(script: Script, **options: Any) -> Any:
    client, endpoint = make_client(script, **options)
    with client:
        return endpoint._run(TinyInput(prompt="a cat"))


@pytest.mark.parametrize(
    ("raw", "ours"),
    [
        ("succeeded", "completed"),
        ("COMPLETED", "completed"),
        ("canceled", "cancelled"),
        ("pending", "in_queue"),
        ("processing", "in_progress"),
        ("failed", "failed"),
        ("something-new", None),
    ],
)
def test_status_spellings_of_runcomfys_clients(raw: str, ours: str | None) -> None:
    assert normalize_status(raw) == ours


def test_succeeded_is_done_with_cost_timestamps_and_instance(script: Script) -> None:
    finished = {
        "request_id": RID,
        "status": "succeeded",
        "output": {"images": ["https://cdn.test/a b.png"]},
        "cost": 0.12,
        "created_at": "2026-01-01T00:00:00Z",
        "finished_at": "2026-01-01T00:00:09Z",
        "instance_id": "i-7",
    }
    script.on("submit", ok(SUBMITTED)).on(
        "result", ok({"request_id": RID, "status": "pending"}), ok(finished)
    )
    result = _run(script, include_cost=True)
    assert (result.status, result.cost, result.instance_id) == ("completed", 0.12, "i-7")
    assert (result.created_at, result.finished_at) == (
        finished["created_at"],
        "2026-01-01T00:00:09Z",
    )
    assert result.urls() == ["https://cdn.test/a b.png"]  # byte for byte, not re-spelled
    assert result.raw == finished
    polls = script.requests("result")
    assert len(polls) == 2 and script.requests("status") == []  # result is polled, once each
    assert all(request.url.params["include_cost"] == "true" for request in polls)


def test_user_agent_names_the_package(script: Script, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runtime's package (here the generator itself, whose copy the unit tests import)
    names the distribution and version: the runtime spells no package name of its own."""
    package = sys.modules[PACKAGE]
    monkeypatch.setattr(package, "__distribution__", "acme-models", raising=False)
    monkeypatch.setattr(package, "__version__", "9.8.7", raising=False)
    script.on("submit", ok(SUBMITTED)).on("result", ok({"status": "completed", "output": {}}))
    _run(script)
    assert script.seen[0].headers["user-agent"] == "acme-models/9.8.7"
    assert "include_cost" not in str(script.requests("result")[0].url)  # off by default


def test_user_agent_version_falls_back_to_the_installed_metadata(
    script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = sys.modules[PACKAGE]
    monkeypatch.setattr(package, "__distribution__", "runcomfy-codegen", raising=False)
    monkeypatch.delattr(package, "__version__", raising=False)
    script.on("submit", ok(SUBMITTED)).on("result", ok({"status": "completed", "output": {}}))
    _run(script)
    expected = f"runcomfy-codegen/{importlib.metadata.version('runcomfy-codegen')}"
    assert script.seen[0].headers["user-agent"] == expected


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"status": "failed", "error_message": "out of VRAM"}, "out of VRAM"),
        ({"status": "failed", "message": "bad seed"}, "bad seed"),
        ({"status": "failed", "error": "plain text"}, "plain text"),
        ({"status": "failed", "error": {"message": "nested", "error_code": 500001}}, "nested"),
        ({"status": "failed", "detail": "from detail"}, "from detail"),
        ({"status": "FAILED"}, "no error given"),
    ],
)
def test_failed_job_raises_with_the_servers_text(
    script: Script, body: dict[str, Any], text: str
) -> None:
    script.on("submit", ok(SUBMITTED)).on("result", ok({"request_id": RID, **body}))
    with pytest.raises(JobFailedError) as caught:
        _run(script)
    assert text in str(caught.value) and caught.value.request_id == RID


def test_canceled_spelling_is_terminal(script: Script) -> None:
    script.on("submit", ok(SUBMITTED)).on("result", ok({"status": "canceled"}))
    with pytest.raises(JobCancelledError):
        _run(script)
    assert len(script.requests("result")) == 1


def test_error_message_inside_http_200_is_an_error(script: Script) -> None:
    script.on("submit", ok({"error_code": 500001, "error_message": "queue is on fire"}))
    client, endpoint = make_client(script, max_retries=0)
    with client, pytest.raises(ServerError, match="queue is on fire") as caught:
        endpoint._submit(TinyInput(prompt="x"))
    assert (caught.value.status_code, caught.value.error_code) == (200, 500001)


def test_result_of_an_unfinished_job(script: Script) -> None:
    script.on("result", ok({"status": "in_progress", "instance_id": "i-1"}))
    client, endpoint = make_client(script)
    with client, pytest.raises(JobNotFinishedError) as caught:
        endpoint.handle(RID).result()
    assert caught.value.status == "in_progress"


def test_error_layers_like_the_stainless_sdks(script: Script) -> None:
    assert issubclass(APIConnectionError, APIError) and issubclass(ServerError, APIStatusError)
    assert not issubclass(InputValidationError, APIError)  # local validation stands apart
    assert issubclass(InputRejectedError, InputValidationError)
    assert issubclass(InputRejectedError, APIStatusError)
    detail = [{"loc": ["body", "prompt"], "msg": "too long", "type": "maxLength"}]
    script.on("submit", ok({"error_code": 422001, "message": "bad", "detail": detail}, 422))
    client, endpoint = make_client(script)
    with client, pytest.raises(InputRejectedError) as caught:
        endpoint._submit(TinyInput(prompt="x"))
    assert [(i.pointer, i.rule) for i in caught.value.issues] == [("/prompt", "maxLength")]
    with pytest.raises(InputValidationError) as local:
        endpoint._submit(TinyInput(prompt=""))
    assert type(local.value) is InputValidationError and local.value.status_code is None


def test_refused_locally_before_sending_anything(script: Script) -> None:
    client, endpoint = make_client(script)
    with client, pytest.raises(InputValidationError):
        endpoint._submit(TinyInput(prompt=""))
    assert script.seen == []


def test_a_submit_answer_without_request_id_may_have_made_a_job(script: Script) -> None:
    script.on("submit", ok({"status": "in_queue"}))
    client, endpoint = make_client(script)
    with client, pytest.raises(SubmissionUncertainError, match="dashboard"):
        endpoint._submit(TinyInput(prompt="x"))


def test_a_submit_httpx_refused_to_send_is_not_uncertain() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError("Illegal header value")

    client, endpoint = make_client(Script().on("submit", refuse))
    with client, pytest.raises(APIConnectionError) as caught:
        endpoint._submit(TinyInput(prompt="x"))
    assert not isinstance(caught.value, SubmissionUncertainError)


def test_a_submit_dropped_after_sending_is_uncertain_and_not_resent() -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset")

    script = Script().on("submit", drop)
    client, endpoint = make_client(script)
    with client, pytest.raises(SubmissionUncertainError):
        endpoint._submit(TinyInput(prompt="x"))
    assert len(script.requests("submit")) == 1


def test_unknown_status_keeps_polling_and_keeps_the_raw_spelling(script: Script) -> None:
    script.on("submit", ok(SUBMITTED)).on(
        "result",
        ok({"status": "warming_up"}),
        ok({"status": "completed", "output": {"image": "https://x.test/1.png"}}),
    )
    seen: list[Any] = []
    client, endpoint = make_client(script)
    with client:
        endpoint._run(TinyInput(prompt="x"), on_update=seen.append)
    assert [(u.status, u.raw_status) for u in seen] == [
        ("in_progress", "warming_up"),
        ("completed", "completed"),
    ]


@pytest.mark.parametrize("spoil", ["{}\n", " {}", "{}\t", "{}\x00", "{}\u2028"])
def test_a_malformed_token_is_refused_without_showing_it(spoil: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientBase(spoil.format(TOKEN), base_url="http://api.test")
    assert isinstance(caught.value, RunComfyError) and isinstance(caught.value, ValueError)
    assert TOKEN[:8] not in str(caught.value) and TOKEN[-8:] not in repr(caught.value)


@pytest.mark.parametrize("option", ["wait_timeout", "download_timeout"])
@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), -1.0, "60"])
def test_deadlines_that_never_pass_are_refused_when_the_client_is_made(
    option: str, seconds: object
) -> None:
    # NaN compares false with every clock reading: as a deadline it would never pass.
    with pytest.raises(ConfigurationError, match=option):
        ClientBase(TOKEN, base_url="http://api.test", **{option: seconds})  # type: ignore[arg-type]


@pytest.mark.parametrize("seconds", [float("nan"), float("inf")])
def test_a_per_call_deadline_that_never_passes_is_refused(script: Script, seconds: float) -> None:
    client, endpoint = make_client(script)
    with client, pytest.raises(ConfigurationError, match="finite"):
        endpoint._run(TinyInput(prompt="x"), wait_timeout=seconds)
    assert script.seen == []  # refused before anything was sent


def test_api_redirects_are_not_followed(script: Script) -> None:
    moved = httpx.Response(307, headers={"location": "https://elsewhere.test/v1/models/x"})
    script.on("submit", moved)
    client, endpoint = make_client(script)
    with client, pytest.raises(ProtocolError, match="redirect") as caught:
        endpoint._submit(TinyInput(prompt="x"))
    assert caught.value.status_code == 307
    assert [r.url.host for r in script.seen] == ["api.test"]  # nothing sent elsewhere


def test_absurdly_nested_answer_is_a_protocol_error(script: Script) -> None:
    script.on("submit", httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000))
    client, endpoint = make_client(script)
    with client, pytest.raises(ProtocolError):
        endpoint._submit(TinyInput(prompt="x"))


def test_a_body_its_content_encoding_does_not_describe_is_a_protocol_error(
    script: Script,
) -> None:
    """httpx's DecodingError escaped the client untyped (``run``: "internal error")."""

    def garbled(request: httpx.Request) -> httpx.Response:
        body = httpx.ByteStream(b"\x1f\x8b junk")
        return httpx.Response(200, stream=body, headers={"content-encoding": "gzip"})

    script.on("submit", ok({"request_id": RID})).on("result", garbled)
    client, endpoint = make_client(script, max_retries=0)
    with client, pytest.raises(ProtocolError, match="Content-Encoding: 'gzip'") as caught:
        endpoint.handle(RID).result()
    assert caught.value.request_id == RID
    script.on("submit", garbled)
    with pytest.raises(ProtocolError, match="cannot be decoded"):
        endpoint._submit(TinyInput(prompt="x"))


def test_an_endless_answer_is_not_read_past_the_cap(script: Script) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        def chunks() -> Iterator[bytes]:
            while True:
                yield b" " * 65536

        return httpx.Response(200, content=chunks())

    script.on("submit", ok({"request_id": RID})).on("result", endless)
    client, endpoint = make_client(script, max_retries=0)
    with client, pytest.raises(ProtocolError, match="over") as caught:
        endpoint.handle(RID).result()
    assert caught.value.request_id == RID
    declared = httpx.Response(200, content=b"{}", headers={"content-length": str(2**40)})
    script.on("result", declared)
    with pytest.raises(ProtocolError, match="over"):
        endpoint.handle(RID).result()


@pytest.mark.parametrize("request_id", ["a" * 100_000, "abc\x1b]0;title\x07"])
def test_an_unusable_request_id_may_have_made_a_job(script: Script, request_id: str) -> None:
    """100,000 characters went into the first poll's URL: "internal error (InvalidURL)"."""
    script.on("submit", ok({"request_id": request_id}))
    client, endpoint = make_client(script)
    with client, pytest.raises(SubmissionUncertainError, match="request_id is unusable") as caught:
        endpoint._submit(TinyInput(prompt="x"))
    assert request_id not in str(caught.value) and "a" * 300 not in str(caught.value)
    assert len(script.requests("submit")) == 1 and script.requests("result") == []


# --- the aiohttp backend's names for failures -------------------------------------------------


def _aiohttp_failures() -> list[tuple[BaseException, type[httpx.TransportError]]]:
    import aiohttp

    key = aiohttp.client_reqrep.ConnectionKey("h", 80, False, True, None, None, None)
    refused = aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))
    return [
        (refused, httpx.ConnectError),
        (aiohttp.ConnectionTimeoutError("connect"), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
        (TimeoutError(), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (aiohttp.ClientPayloadError("truncated"), httpx.ReadError),
        (aiohttp.NonHttpUrlClientError("ftp://x"), httpx.UnsupportedProtocol),
    ]


@pytest.mark.parametrize("failure, expected", _aiohttp_failures())
def test_aiohttp_failures_say_whether_the_request_may_have_been_sent(
    failure: BaseException, expected: type[httpx.TransportError]
) -> None:
    from generator.runtime._aiohttp import _as_httpx_error
    from generator.runtime._policy import surely_not_sent

    error = _as_httpx_error(failure)
    assert type(error) is expected
    # Only a failure before any byte left may let a submit be sent again.
    assert error is not None
    not_sent = (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol)
    assert surely_not_sent(error) == (expected in not_sent)


def test_other_exceptions_are_not_renamed() -> None:
    from generator.runtime._aiohttp import _as_httpx_error

    assert _as_httpx_error(ValueError("x")) is None
