"""The other HTTP backends against serve: ``AsyncRunComfy(http_backend="aiohttp")`` and
``RunComfy(http_backend="urllib3")`` give the same answers and keep the same promises as
httpx's own stack, above all that a submit whose fate is unknown is never resent.

httpx-aiohttp names a connection dropped after the request was written ``ConnectTimeout``
("never sent"); the runtime renames each backend's failures itself (``_aiohttp``,
``_urllib3``), and the fault tests below would create a second job if it did not.
"""

from __future__ import annotations

import asyncio
import socket
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.render.naming import module_name
from generator.serve import Fault, RunningServer, Schedule

from .conftest import TOKEN, fast_options
from .payloads import bundled_specs, valid_kwargs

SPEC = bundled_specs()[0]
SUBMIT_PATH = "/v1/models/" + SPEC.model_id
BACKENDS = ["aiohttp", "urllib3"]


def _client(sdk: ModuleType, backend: str, base_url: str, **overrides: Any) -> Any:
    """The async client for aiohttp, the sync one for urllib3."""
    kind = sdk.AsyncRunComfy if backend == "aiohttp" else sdk.RunComfy
    return kind(TOKEN, base_url=base_url, http_backend=backend, **fast_options(sdk, **overrides))


def _calls(
    sdk: ModuleType,
    backend: str,
    base_url: str,
    calls: list[tuple[str, dict[str, Any]]],
    client_hook: Callable[[Any], None] = lambda client: None,
    **overrides: Any,
) -> list[Any]:
    """Each ``(method, kwargs)`` of ``calls`` at once through one fresh client; outcomes or
    exceptions, in order."""
    client = _client(sdk, backend, base_url, **overrides)
    client_hook(client)
    if backend == "urllib3":
        with client:
            endpoint = getattr(client, module_name(SPEC.model_id))

            def one(call: tuple[str, dict[str, Any]]) -> Any:
                try:
                    return getattr(endpoint, call[0])(**call[1])
                except Exception as exc:
                    return exc

            with ThreadPoolExecutor(max_workers=50) as pool:
                return list(pool.map(one, calls))

    async def scenario() -> list[Any]:
        async with client:
            endpoint = getattr(client, module_name(SPEC.model_id))
            return await asyncio.gather(
                *(getattr(endpoint, method)(**kwargs) for method, kwargs in calls),
                return_exceptions=True,
            )

    return asyncio.run(scenario())


def _one(
    sdk: ModuleType, backend: str, server: RunningServer, method: str = "run", **overrides: Any
) -> Any:
    [outcome] = _calls(
        sdk, backend, server.base_url, [(method, valid_kwargs(SPEC, server))], **overrides
    )
    return outcome


def _submits(server: RunningServer) -> int:
    return len(server.requests("POST", SUBMIT_PATH))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_runs_and_its_result_is_read(
    sdk: ModuleType, make_server: Callable[..., RunningServer], backend: str
) -> None:
    server = make_server(Schedule(queue_polls=1, progress_polls=1))
    result = _one(sdk, backend, server, include_cost=True)
    [job] = server.jobs()
    assert result.request_id == job["request_id"]
    assert result.urls() and result.cost is not None
    [submit] = server.requests("POST", SUBMIT_PATH)
    assert submit["outcome"] == 200


@pytest.mark.parametrize("backend", BACKENDS)
def test_200_concurrent_jobs_through_a_small_pool_lose_nothing(
    sdk: ModuleType, make_server: Callable[..., RunningServer], backend: str
) -> None:
    server = make_server(Schedule(queue_polls=1, progress_polls=1))
    calls = [("run", valid_kwargs(SPEC, server))] * 200
    outcomes = _calls(sdk, backend, server.base_url, calls, max_connections=4)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert len({o.request_id for o in outcomes}) == 200 == server.jobs_created()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", ["drop", "drop-after"])
def test_a_dropped_submit_is_uncertain_and_not_resent(
    sdk: ModuleType, make_server: Callable[..., RunningServer], kind: str, backend: str
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", kind, count=1)])
    error = _one(sdk, backend, server, "submit")
    assert isinstance(error, sdk._runtime.SubmissionUncertainError)
    assert "RemoteProtocolError" in str(error)
    assert _submits(server) == 1
    assert server.jobs_created() == (1 if kind == "drop-after" else 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_submit_read_timeout_is_uncertain_and_not_resent(
    sdk: ModuleType, make_server: Callable[..., RunningServer], backend: str
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", "slow", ms=400, count=1)])
    error = _one(sdk, backend, server, "submit", timeout=0.1)
    assert isinstance(error, sdk._runtime.SubmissionUncertainError)
    assert "ReadTimeout" in str(error)
    for _ in range(500):  # the slow answer is logged when it is finally written
        if server.jobs_created():
            break
        time.sleep(0.01)
    assert _submits(server) == 1 == server.jobs_created()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_connection_is_retried_then_reported(sdk: ModuleType, backend: str) -> None:
    waits: list[float] = []

    def record(seconds: float) -> None:
        waits.append(seconds)

    async def arecord(seconds: float) -> None:
        waits.append(seconds)

    def no_sleeping(client: Any) -> None:
        client._transport.sleep = arecord if backend == "aiohttp" else record

    with socket.socket() as placeholder:  # a port that surely has no listener
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
        call = ("submit", {"prompt": "a", "image_urls": ["http://127.0.0.1/x.png"]})
        [error] = _calls(sdk, backend, f"http://127.0.0.1:{port}", [call], no_sleeping)
    assert isinstance(error, sdk._runtime.APIConnectionError)
    assert not isinstance(error, sdk._runtime.SubmissionUncertainError)
    assert "ConnectError" in str(error)
    assert len(waits) == 3  # max_retries: a refused connection surely created no job


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_poll_dropped_or_timed_out_is_retried(
    sdk: ModuleType, make_server: Callable[..., RunningServer], backend: str
) -> None:
    server = make_server(
        faults=[
            Fault("GET", "/v1/requests/*/result", "drop", count=1),
            Fault("GET", "/v1/requests/*/result", "slow", ms=400, count=1),
        ]
    )
    result = _one(sdk, backend, server, timeout=0.1)
    assert result.urls()
    assert server.jobs_created() == 1


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", ["garbage", "redirect", "503"])
def test_bad_answers_are_the_same_typed_errors(
    sdk: ModuleType, make_server: Callable[..., RunningServer], kind: str, backend: str
) -> None:
    count = 99 if kind == "503" else 1  # 503 until the retries run out
    server = make_server(faults=[Fault("POST", "/v1/models/*", kind, count=count)])
    expected = sdk._runtime.APIStatusError if kind == "503" else sdk._runtime.ProtocolError
    assert isinstance(_one(sdk, backend, server, "submit"), expected)
    assert server.jobs_created() == 0


def test_a_backend_is_refused_with_a_client_of_ones_own_or_a_bad_name(sdk: ModuleType) -> None:
    import httpx

    with httpx.Client() as own, pytest.raises(sdk.ConfigurationError, match="not both"):
        sdk.RunComfy(TOKEN, http_client=own, http_backend="urllib3")
    with pytest.raises(sdk.ConfigurationError, match="'httpx' or 'urllib3'"):
        sdk.RunComfy(TOKEN, http_backend="aiohttp")
    with pytest.raises(sdk.ConfigurationError, match="'httpx' or 'aiohttp'"):
        sdk.AsyncRunComfy(TOKEN, http_backend="curl")


def test_closing_the_clients_closes_their_pools(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=0, progress_polls=0))
    kwargs = valid_kwargs(SPEC, server)

    async def scenario() -> Any:
        async with _client(sdk, "aiohttp", server.base_url) as client:
            await getattr(client, module_name(SPEC.model_id)).run(**kwargs)
            session = client._transport._http._transport.client
            assert not session.closed
        return session

    assert asyncio.run(scenario()).closed
    with _client(sdk, "urllib3", server.base_url) as client:
        getattr(client, module_name(SPEC.model_id)).run(**kwargs)
        pools = client._transport._http._transport._pool.pools
        assert len(pools) == 1
    assert len(pools) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_file_probes_and_downloads_go_through_the_backend(
    sdk: ModuleType, make_server: Callable[..., RunningServer], backend: str, tmp_path: Path
) -> None:
    """check_files=True (HEAD + a ranged GET), then save(): every byte as the server has it."""
    server = make_server(Schedule(queue_polls=0, progress_polls=0))
    good = {**valid_kwargs(SPEC, server), "check_files": True}
    small = {**good, "image_urls": [server.sample_url("image-small.png")]}  # rules want >= 320

    def sync_flow() -> tuple[Any, BaseException, list[Path]]:
        with _client(sdk, backend, server.base_url) as client:
            endpoint = getattr(client, module_name(SPEC.model_id))
            with pytest.raises(sdk.InputValidationError) as refused:
                endpoint.submit(**small)
            result = endpoint.run(**good)
            return result, refused.value, result.save(tmp_path)

    async def async_flow() -> tuple[Any, BaseException, list[Path]]:
        async with _client(sdk, backend, server.base_url) as client:
            endpoint = getattr(client, module_name(SPEC.model_id))
            with pytest.raises(sdk.InputValidationError) as refused:
                await endpoint.submit(**small)
            result = await endpoint.run(**good)
            return result, refused.value, await result.asave(tmp_path)

    result, refused, saved = asyncio.run(async_flow()) if backend == "aiohttp" else sync_flow()
    assert {issue.pointer for issue in refused.issues} == {"/image_urls/0"}  # type: ignore[attr-defined]
    assert server.jobs_created() == 1
    probes = [entry["method"] for entry in server.requests() if "/samples/" in entry["path"]]
    assert probes.count("HEAD") == 2  # the small image, then the good run's
    assert len(saved) == len(result.urls()) >= 1
    for url, path in zip(result.urls(), saved, strict=True):
        with urllib.request.urlopen(url) as answer:  # the server's own bytes, fetched plainly
            assert path.read_bytes() == answer.read()
