"""Every fault kind, over real HTTP: the typed error, its facts, and what was (re)sent.

The server counts the jobs it really created and logs every request it answered, so each test
can say how often the client sent what; "submitted twice" would show up as two jobs.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from generator.render.naming import module_name
from generator.serve import Fault, RunningServer, Schedule

from .conftest import TOKEN, fast_options
from .payloads import bundled_specs, valid_kwargs, valid_wire_payload

SPEC = bundled_specs()[0]
SUBMIT_PATH = "/v1/models/" + SPEC.model_id


class Sleeps(list[float]):
    """Stands in for ``time.sleep``: records each wait and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _endpoint(client: Any) -> Any:
    return getattr(client, module_name(SPEC.model_id))


def _client(sdk: ModuleType, server: RunningServer, **overrides: Any) -> Any:
    return sdk.RunComfy(TOKEN, base_url=server.base_url, **fast_options(sdk, **overrides))


def _submits(server: RunningServer) -> int:
    return len(server.requests("POST", SUBMIT_PATH))


def _polls(server: RunningServer, request_id: str) -> list[Any]:
    return [e["outcome"] for e in server.requests("GET", f"/v1/requests/{request_id}/result")]


# --- authentication, balance, not found ---------------------------------------------------


def test_wrong_token_is_an_authentication_error_and_is_not_retried(
    sdk: ModuleType, server: RunningServer
) -> None:
    client = sdk.RunComfy("not-the-token", base_url=server.base_url, **fast_options(sdk))
    with client, pytest.raises(sdk.AuthenticationError) as caught:
        _endpoint(client).run(**valid_kwargs(SPEC, server))
    assert caught.value.status_code == 401
    assert caught.value.error_code == 400004
    assert _submits(server) == 1
    assert server.jobs_created() == 0


@pytest.mark.parametrize(
    ("fault", "error", "status", "code"),
    [
        ("402", "InsufficientBalanceError", 402, 400002),
        ("error-200=400002", "InsufficientBalanceError", 200, 400002),
        ("error-200=400004", "AuthenticationError", 200, 400004),
        ("403", "AuthenticationError", 403, 403001),
    ],
)
def test_refused_submit_maps_to_its_error(
    sdk: ModuleType,
    make_server: Callable[..., RunningServer],
    fault: str,
    error: str,
    status: int,
    code: int,
) -> None:
    kind, _, error_code = fault.partition("=")
    code_of_fault = int(error_code) if error_code else None
    server = make_server(faults=[Fault("POST", "/v1/models/*", kind, error_code=code_of_fault)])
    with _client(sdk, server) as client, pytest.raises(getattr(sdk, error)) as caught:
        _endpoint(client).submit(**valid_kwargs(SPEC, server))
    assert (caught.value.status_code, caught.value.error_code) == (status, code)
    assert _submits(server) == 1
    assert server.jobs_created() == 0


def test_unknown_request_id_is_not_found(sdk: ModuleType, client: Any) -> None:
    handle = _endpoint(client).handle("no-such-job")
    with pytest.raises(sdk.NotFoundError) as caught:
        handle.status()
    assert (caught.value.status_code, caught.value.error_code) == (404, 404001)
    assert caught.value.request_id == "no-such-job"
    with pytest.raises(sdk.NotFoundError):
        handle.cancel()


def test_unknown_model_is_not_found(sdk: ModuleType, client: Any, server: RunningServer) -> None:
    endpoint_class = type(_endpoint(client))
    unknown = type("Unknown", (endpoint_class,), {"model_id": "nobody/no-model"})
    with pytest.raises(sdk.NotFoundError) as caught:
        unknown(client._transport).submit(**valid_kwargs(SPEC, server))
    assert (caught.value.status_code, caught.value.error_code) == (400, 400001)


# --- input validation ----------------------------------------------------------------------


def _unchecked_input(client: Any, server: RunningServer, **wire: Any) -> Any:
    """The model's Input built without pydantic's checks, so only ``_check`` can object."""
    input_type = sys.modules[type(_endpoint(client)).__module__].__dict__[
        type(_endpoint(client)).__name__.removesuffix("Client") + "Input"
    ]
    return input_type.model_construct(**{**valid_wire_payload(SPEC, server), **wire})


def test_typed_call_with_bad_input_fails_before_any_request(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    kwargs = valid_kwargs(SPEC, server)
    kwargs["prompt"] = "x" * 5000  # maxLength 800
    # The generated Input model's own checks report like the validator: InputValidationError
    # pointing at the wire key, and nothing reaches the server.
    with pytest.raises(sdk.InputValidationError) as caught:
        _endpoint(client).run(**kwargs)
    assert [i.pointer for i in caught.value.issues] == ["/prompt"]
    assert server.requests() == []


def test_typed_call_without_local_validation_lets_the_server_judge(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    kwargs = valid_kwargs(SPEC, server)
    kwargs["prompt"] = "x" * 5000  # maxLength 800
    with pytest.raises(sdk.InputValidationError) as caught:
        _endpoint(client).run(**kwargs, validate_input=False)
    assert caught.value.status_code == 422
    assert server.jobs_created(SPEC.model_id) == 0


def test_local_validation_stops_bad_input_before_any_request(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    data = _unchecked_input(client, server, prompt="x" * 5000, frames=7)
    with pytest.raises(sdk.InputValidationError) as caught:
        _endpoint(client)._run(data)
    assert caught.value.status_code is None
    assert sorted(issue.pointer for issue in caught.value.issues) == ["/frames", "/prompt"]
    assert server.requests() == []


def test_build_input_turns_model_errors_into_issues(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    input_type = type(_unchecked_input(client, server))
    payload = {**valid_wire_payload(SPEC, server), "prompt": "x" * 5000}
    with pytest.raises(sdk.InputValidationError) as caught:
        sdk._runtime.build_input(input_type, payload)
    assert [(i.pointer, i.rule) for i in caught.value.issues] == [("/prompt", "string_too_long")]
    unchecked = sdk._runtime.build_input(input_type, payload, validate_input=False)
    assert unchecked.to_wire()["prompt"] == "x" * 5000


def test_server_validation_detail_becomes_issues(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    data = _unchecked_input(client, server, prompt="x" * 5000)
    with pytest.raises(sdk.InputValidationError) as caught:
        _endpoint(client)._submit(data, validate_input=False)
    error = caught.value
    assert (error.status_code, error.error_code) == (422, 422001)
    assert [issue.pointer for issue in error.issues] == ["/prompt"]
    assert error.detail and isinstance(error.detail, list)
    assert _submits(server) == 1
    assert server.jobs_created() == 0


def test_server_checks_file_rules_the_client_could_not(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    kwargs = valid_kwargs(SPEC, server)
    kwargs["image_urls"] = [server.sample_url("image-small.png")]  # 64 px, rules want >= 320
    with pytest.raises(sdk.InputValidationError) as caught:
        _endpoint(client).submit(**kwargs)  # locally "unchecked": no file metadata was given
    assert caught.value.status_code == 422
    assert {issue.pointer for issue in caught.value.issues} == {"/image_urls/0"}


# --- rate limits and server errors -----------------------------------------------------------


def test_retry_after_is_honoured_on_polls(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(
        faults=[Fault("GET", "/v1/requests/*/result", "429", count=2, retry_after=7)]
    )
    retry = sdk._runtime.RetryPolicy(max_retries=3, initial_backoff=0.002, max_retry_after=60)
    with _client(sdk, server, retry_policy=retry) as client:
        sleeps = client._transport.sleep = Sleeps()
        result = _endpoint(client).run(**valid_kwargs(SPEC, server))
    # The first pause is the poll interval after the submit; then the server's Retry-After.
    assert sleeps[1:3] == [7.0, 7.0]
    assert _polls(server, result.request_id)[:3] == [429, 429, 200]
    assert server.jobs_created() == 1


def test_rate_limit_that_never_lifts_raises_after_the_retries(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(faults=[Fault("GET", "/v1/requests/*/result", "429", retry_after=2)])
    with _client(sdk, server) as client:
        handle = _endpoint(client).submit(**valid_kwargs(SPEC, server))
        with pytest.raises(sdk.RateLimitError) as caught:
            handle.wait()
    error = caught.value
    assert (error.status_code, error.retry_after, error.request_id) == (429, 2.0, handle.request_id)
    assert _polls(server, handle.request_id) == [429] * 4  # first try + max_retries=3


def test_submit_429_and_503_are_retried_and_create_one_job(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(
        faults=[
            Fault("POST", "/v1/models/*", "429", count=1, retry_after=0),
            Fault("POST", "/v1/models/*", "503", count=1, after=1),
        ]
    )
    with _client(sdk, server) as client:
        _endpoint(client).run(**valid_kwargs(SPEC, server))
    assert [e["outcome"] for e in server.requests("POST", SUBMIT_PATH)] == [429, 503, 200]
    assert server.jobs_created() == 1


@pytest.mark.parametrize("status", ["500", "502", "504"])
def test_submit_is_not_retried_after_other_server_errors(
    sdk: ModuleType, make_server: Callable[..., RunningServer], status: str
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", status, count=1)])
    with _client(sdk, server) as client, pytest.raises(sdk.ServerError) as caught:
        _endpoint(client).submit(**valid_kwargs(SPEC, server))
    assert caught.value.status_code == int(status)
    assert _submits(server) == 1


@pytest.mark.parametrize("kind", ["500", "502", "503", "504", "error-200", "drop"])
def test_transient_poll_failures_are_retried(
    sdk: ModuleType, make_server: Callable[..., RunningServer], kind: str
) -> None:
    server = make_server(faults=[Fault("GET", "/v1/requests/*/result", kind, count=2)])
    with _client(sdk, server) as client:
        result = _endpoint(client).run(**valid_kwargs(SPEC, server))
    outcomes = _polls(server, result.request_id)
    assert outcomes[2:] and all(o == 200 for o in outcomes[2:])
    assert server.jobs_created() == 1


def test_server_error_that_persists_raises_with_its_facts(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(faults=[Fault("GET", "/v1/requests/*/result", "500")])
    with _client(sdk, server) as client:
        handle = _endpoint(client).submit(**valid_kwargs(SPEC, server))
        with pytest.raises(sdk.ServerError) as caught:
            handle.result()
    error = caught.value
    assert (error.status_code, error.error_code, error.request_id) == (
        500,
        500001,
        handle.request_id,
    )
    assert len(server.requests("GET", f"/v1/requests/{handle.request_id}/result")) == 4


# --- lost answers: the submit is never sent twice --------------------------------------------


def test_submit_dropped_after_the_job_was_created_is_not_resent(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", "drop-after", count=1)])
    with _client(sdk, server) as client, pytest.raises(sdk._runtime.SubmissionUncertainError):
        _endpoint(client).run(**valid_kwargs(SPEC, server))
    assert _submits(server) == 1
    assert server.jobs_created() == 1


def test_submit_dropped_before_any_work_is_not_resent_either(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    # The client cannot tell this drop from the one above, so it must not resend it.
    server = make_server(faults=[Fault("POST", "/v1/models/*", "drop", count=1)])
    with _client(sdk, server) as client, pytest.raises(sdk._runtime.SubmissionUncertainError):
        _endpoint(client).submit(**valid_kwargs(SPEC, server))
    assert _submits(server) == 1
    assert server.jobs_created() == 0


def test_submit_read_timeout_is_not_resent(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", "slow", ms=400, count=1)])
    client = _client(sdk, server, timeout=0.1)
    with client, pytest.raises(sdk._runtime.SubmissionUncertainError) as caught:
        _endpoint(client).submit(**valid_kwargs(SPEC, server))
    assert "ReadTimeout" in str(caught.value)
    server.state.faults.replace_all(())
    _wait_for(lambda: server.jobs_created() == 1)  # the slow answer still created its job
    assert _submits(server) == 1


def test_connection_refused_submit_is_retried_then_reported(sdk: ModuleType) -> None:
    with socket.socket() as placeholder:  # a port that surely has no listener
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
        with sdk.RunComfy(
            TOKEN, base_url=f"http://127.0.0.1:{port}", **fast_options(sdk)
        ) as client:
            sleeps = client._transport.sleep = Sleeps()
            with pytest.raises(sdk._runtime.APIConnectionError) as caught:
                _endpoint(client).submit(prompt="a", image_urls=["http://127.0.0.1/x.png"])
    assert not isinstance(caught.value, sdk._runtime.SubmissionUncertainError)
    assert "ConnectError" in str(caught.value)
    assert len(sleeps) == 3  # max_retries: a refused connection surely created no job


def test_status_read_timeout_is_retried(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(faults=[Fault("GET", "/v1/requests/*/result", "slow", ms=400, count=1)])
    with _client(sdk, server, timeout=0.1) as client:
        result = _endpoint(client).run(**valid_kwargs(SPEC, server))
    assert result.urls()
    assert server.jobs_created() == 1


def _wait_for(condition: Callable[[], bool], attempts: int = 500) -> None:
    """Poll a server-side fact that a background thread is still about to make true."""
    import time

    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("the server never reached the expected state")


# --- job outcomes ------------------------------------------------------------------------------


def test_failed_job_raises_with_the_jobs_error(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(
        faults=[Fault("POST", "/v1/models/*", "fail", count=1, message="GPU melted")]
    )
    with _client(sdk, server) as client:
        handle = _endpoint(client).submit(**valid_kwargs(SPEC, server))
        with pytest.raises(sdk.JobFailedError) as caught:
            handle.wait()
    error = caught.value
    assert error.request_id == handle.request_id
    assert error.error == {"error_code": 500001, "message": "GPU melted"}
    assert error.error_code == 500001
    assert "GPU melted" in str(error)


def test_cancel_queued_job(sdk: ModuleType, make_server: Callable[..., RunningServer]) -> None:
    server = make_server(Schedule(queue_polls=5, progress_polls=1))
    with _client(sdk, server) as client:
        handle = _endpoint(client).submit(**valid_kwargs(SPEC, server))
        outcome = handle.cancel()
        assert (outcome.outcome, outcome.cancelled) == ("cancelled", True)
        with pytest.raises(sdk.JobCancelledError) as caught:
            handle.wait()
    assert caught.value.request_id == handle.request_id
    assert server.jobs()[0]["status"] == "cancelled"


def test_cancel_running_job_is_not_cancellable_and_it_completes(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=1, progress_polls=3))
    with _client(sdk, server) as client:
        handle = _endpoint(client).submit(**valid_kwargs(SPEC, server))
        assert handle.status().status == "in_queue"
        assert handle.status().status == "in_progress"
        outcome = handle.cancel()
        assert (outcome.outcome, outcome.cancelled) == ("not_cancellable", False)
        result = handle.wait()
    assert result.urls()
    assert server.jobs()[0]["status"] == "completed"


# --- garbage and redirects ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["garbage", "redirect"])
def test_garbage_or_a_redirect_on_submit_is_a_protocol_error_and_no_job(
    sdk: ModuleType, make_server: Callable[..., RunningServer], kind: str
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", kind, count=1)])
    with _client(sdk, server) as client, pytest.raises(sdk._runtime.ProtocolError) as caught:
        _endpoint(client).submit(**valid_kwargs(SPEC, server))
    assert "elsewhere" in str(caught.value) if kind == "redirect" else "JSON" in str(caught.value)
    assert _submits(server) == 1 and server.jobs_created() == 0  # not followed, not resent


def test_garbage_on_a_poll_of_a_created_job_names_the_job(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(faults=[Fault("GET", "/v1/requests/*/result", "garbage")])
    with _client(sdk, server) as client, pytest.raises(sdk._runtime.ProtocolError) as caught:
        _endpoint(client).run(**valid_kwargs(SPEC, server))
    [job] = server.jobs()
    assert caught.value.request_id == job["request_id"]
