"""``AsyncRunComfy(http_backend="aiohttp")`` against serve: the same answers and the same
promises as httpx's stack, above all that a submit whose fate is unknown is never resent.

httpx-aiohttp names a connection dropped after the request was written ``ConnectTimeout``
("never sent"); the runtime renames aiohttp's failures itself (runtime ``_aiohttp``), and the
fault tests below would create a second job if it did not.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from generator.render.naming import module_name
from generator.serve import Fault, RunningServer, Schedule

from .conftest import TOKEN, fast_options
from .payloads import bundled_specs, valid_kwargs

SPEC = bundled_specs()[0]
SUBMIT_PATH = "/v1/models/" + SPEC.model_id


def _client(sdk: ModuleType, base_url: str, **overrides: Any) -> Any:
    return sdk.AsyncRunComfy(
        TOKEN, base_url=base_url, http_backend="aiohttp", **fast_options(sdk, **overrides)
    )


def _run(sdk: ModuleType, server: RunningServer, method: str = "run", **overrides: Any) -> Any:
    """One ``run()`` (or ``submit()``) through a fresh aiohttp-backed client."""

    async def scenario() -> Any:
        async with _client(sdk, server.base_url, **overrides) as client:
            endpoint = getattr(client, module_name(SPEC.model_id))
            return await getattr(endpoint, method)(**valid_kwargs(SPEC, server))

    return asyncio.run(scenario())


def _submits(server: RunningServer) -> int:
    return len(server.requests("POST", SUBMIT_PATH))


def test_a_job_runs_and_its_result_is_read(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=1, progress_polls=1))
    result = _run(sdk, server, include_cost=True)
    [job] = server.jobs()
    assert result.request_id == job["request_id"]
    assert result.urls() and result.cost is not None
    [submit] = server.requests("POST", SUBMIT_PATH)
    assert submit["outcome"] == 200


def test_200_concurrent_jobs_through_a_small_pool_lose_nothing(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=1, progress_polls=1))
    kwargs = valid_kwargs(SPEC, server)

    async def scenario() -> list[Any]:
        async with _client(sdk, server.base_url, max_connections=4) as client:
            endpoint = getattr(client, module_name(SPEC.model_id))
            return await asyncio.gather(
                *(endpoint.run(**kwargs) for _ in range(200)), return_exceptions=True
            )

    outcomes = asyncio.run(scenario())
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert len({o.request_id for o in outcomes}) == 200 == server.jobs_created()


@pytest.mark.parametrize("kind", ["drop", "drop-after"])
def test_a_dropped_submit_is_uncertain_and_not_resent(
    sdk: ModuleType, make_server: Callable[..., RunningServer], kind: str
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", kind, count=1)])
    with pytest.raises(sdk._runtime.SubmissionUncertainError) as caught:
        _run(sdk, server, "submit")
    assert "RemoteProtocolError" in str(caught.value)
    assert _submits(server) == 1
    assert server.jobs_created() == (1 if kind == "drop-after" else 0)


def test_a_submit_read_timeout_is_uncertain_and_not_resent(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", "slow", ms=400, count=1)])
    with pytest.raises(sdk._runtime.SubmissionUncertainError) as caught:
        _run(sdk, server, "submit", timeout=0.1)
    assert "ReadTimeout" in str(caught.value)
    for _ in range(500):  # the slow answer is logged when it is finally written
        if server.jobs_created():
            break
        time.sleep(0.01)
    assert _submits(server) == 1 == server.jobs_created()


def test_a_refused_connection_is_retried_then_reported(sdk: ModuleType) -> None:
    with socket.socket() as placeholder:  # a port that surely has no listener
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]

        async def scenario() -> Any:
            async with _client(sdk, f"http://127.0.0.1:{port}") as client:
                waits: list[float] = []

                async def sleep(seconds: float) -> None:
                    waits.append(seconds)

                client._transport.sleep = sleep
                endpoint = getattr(client, module_name(SPEC.model_id))
                with pytest.raises(sdk._runtime.APIConnectionError) as caught:
                    await endpoint.submit(prompt="a", image_urls=["http://127.0.0.1/x.png"])
                return caught.value, waits

        error, waits = asyncio.run(scenario())
    assert not isinstance(error, sdk._runtime.SubmissionUncertainError)
    assert "ConnectError" in str(error)
    assert len(waits) == 3  # max_retries: a refused connection surely created no job


def test_a_poll_dropped_or_timed_out_is_retried(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(
        faults=[
            Fault("GET", "/v1/requests/*/result", "drop", count=1),
            Fault("GET", "/v1/requests/*/result", "slow", ms=400, count=1),
        ]
    )
    result = _run(sdk, server, timeout=0.1)
    assert result.urls()
    assert server.jobs_created() == 1


@pytest.mark.parametrize("kind", ["garbage", "redirect", "503"])
def test_bad_answers_are_the_same_typed_errors(
    sdk: ModuleType, make_server: Callable[..., RunningServer], kind: str
) -> None:
    count = 99 if kind == "503" else 1  # 503 until the retries run out
    server = make_server(faults=[Fault("POST", "/v1/models/*", kind, count=count)])
    expected = sdk._runtime.APIStatusError if kind == "503" else sdk._runtime.ProtocolError
    with pytest.raises(expected):
        _run(sdk, server, "submit")
    assert server.jobs_created() == 0


def test_the_backend_is_refused_with_a_client_of_ones_own_or_a_bad_name(
    sdk: ModuleType,
) -> None:
    async def scenario() -> None:
        import httpx

        async with httpx.AsyncClient() as own:
            with pytest.raises(sdk.ConfigurationError, match="not both"):
                sdk.AsyncRunComfy(TOKEN, http_client=own, http_backend="aiohttp")
        with pytest.raises(sdk.ConfigurationError, match="'httpx' or 'aiohttp'"):
            sdk.AsyncRunComfy(TOKEN, http_backend="curl")

    asyncio.run(scenario())


def test_closing_the_client_closes_its_aiohttp_session(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=0, progress_polls=0))

    async def scenario() -> Any:
        async with _client(sdk, server.base_url) as client:
            endpoint = getattr(client, module_name(SPEC.model_id))
            await endpoint.run(**valid_kwargs(SPEC, server))
            session = client._transport._http._transport.client
            assert not session.closed
        return session

    assert asyncio.run(scenario()).closed
