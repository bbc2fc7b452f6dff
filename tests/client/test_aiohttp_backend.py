"""``http_backend="aiohttp"`` against serve, for AsyncRunComfy and for RunComfy (whose
requests run on a background event loop): the same answers and the same promises as httpx's
own stack, above all that a submit whose fate is unknown is never resent.

httpx-aiohttp names a connection dropped after the request was written ``ConnectTimeout``
("never sent"); the runtime renames aiohttp's failures itself (``_aiohttp``), and the fault
tests below would create a second job if it did not.
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


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    """Each test runs with AsyncRunComfy, then with RunComfy (requests on a background loop)."""
    return str(request.param)


def _client(sdk: ModuleType, base_url: str, mode: str, **overrides: Any) -> Any:
    kind = sdk.AsyncRunComfy if mode == "async" else sdk.RunComfy
    return kind(TOKEN, base_url=base_url, http_backend="aiohttp", **fast_options(sdk, **overrides))


def _async_transport(client: Any) -> Any:
    """The AsyncTransport doing the HTTP: the client's own, or the sync client's on its loop."""
    transport = client._transport
    return getattr(transport, "_async", transport)


def _calls(
    sdk: ModuleType,
    base_url: str,
    calls: list[tuple[str, dict[str, Any]]],
    mode: str,
    client_hook: Callable[[Any], None] = lambda client: None,
    **overrides: Any,
) -> list[Any]:
    """Each ``(method, kwargs)`` of ``calls`` at once through one fresh client (tasks on one
    loop, or a thread pool); outcomes or exceptions, in order."""
    if mode == "sync":
        with _client(sdk, base_url, mode, **overrides) as client:
            client_hook(client)
            endpoint = getattr(client, module_name(SPEC.model_id))

            def one(call: tuple[str, dict[str, Any]]) -> Any:
                try:
                    return getattr(endpoint, call[0])(**call[1])
                except Exception as exc:
                    return exc

            with ThreadPoolExecutor(max_workers=50) as pool:
                return list(pool.map(one, calls))

    async def scenario() -> list[Any]:
        async with _client(sdk, base_url, mode, **overrides) as client:
            client_hook(client)
            endpoint = getattr(client, module_name(SPEC.model_id))
            return await asyncio.gather(
                *(getattr(endpoint, method)(**kwargs) for method, kwargs in calls),
                return_exceptions=True,
            )

    return asyncio.run(scenario())


def _one(
    sdk: ModuleType,
    server: RunningServer,
    mode: str,
    method: str = "run",
    base: str | None = None,
    **overrides: Any,
) -> Any:
    calls = [(method, valid_kwargs(SPEC, server))]
    [outcome] = _calls(sdk, base or server.base_url, calls, mode, **overrides)
    return outcome


def _submits(server: RunningServer) -> int:
    return len(server.requests("POST", SUBMIT_PATH))


def test_a_job_runs_and_its_result_is_read(
    sdk: ModuleType, make_server: Callable[..., RunningServer], mode: str
) -> None:
    server = make_server(Schedule(queue_polls=1, progress_polls=1))
    result = _one(sdk, server, mode, include_cost=True)
    [job] = server.jobs()
    assert result.request_id == job["request_id"]
    assert result.urls() and result.cost is not None
    [submit] = server.requests("POST", SUBMIT_PATH)
    assert submit["outcome"] == 200


def test_200_concurrent_jobs_through_a_small_pool_lose_nothing(
    sdk: ModuleType, make_server: Callable[..., RunningServer], mode: str
) -> None:
    server = make_server(Schedule(queue_polls=1, progress_polls=1))
    calls = [("run", valid_kwargs(SPEC, server))] * 200
    outcomes = _calls(sdk, server.base_url, calls, mode, max_connections=4)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert len({o.request_id for o in outcomes}) == 200 == server.jobs_created()


@pytest.mark.parametrize("kind", ["drop", "drop-after"])
def test_a_dropped_submit_is_uncertain_and_not_resent(
    sdk: ModuleType, make_server: Callable[..., RunningServer], kind: str, mode: str
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", kind, count=1)])
    error = _one(sdk, server, mode, "submit")
    assert isinstance(error, sdk._runtime.SubmissionUncertainError)
    assert "RemoteProtocolError" in str(error)
    assert _submits(server) == 1
    assert server.jobs_created() == (1 if kind == "drop-after" else 0)


def test_a_submit_read_timeout_is_uncertain_and_not_resent(
    sdk: ModuleType, make_server: Callable[..., RunningServer], mode: str
) -> None:
    server = make_server(faults=[Fault("POST", "/v1/models/*", "slow", ms=400, count=1)])
    error = _one(sdk, server, mode, "submit", timeout=0.1)
    assert isinstance(error, sdk._runtime.SubmissionUncertainError)
    assert "ReadTimeout" in str(error)
    for _ in range(500):  # the slow answer is logged when it is finally written
        if server.jobs_created():
            break
        time.sleep(0.01)
    assert _submits(server) == 1 == server.jobs_created()


def test_a_refused_connection_is_retried_then_reported(sdk: ModuleType, mode: str) -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    def no_sleeping(client: Any) -> None:
        _async_transport(client).sleep = record

    with socket.socket() as placeholder:  # a port that surely has no listener
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
        call = ("submit", {"prompt": "a", "image_urls": ["http://127.0.0.1/x.png"]})
        [error] = _calls(sdk, f"http://127.0.0.1:{port}", [call], mode, no_sleeping)
    assert isinstance(error, sdk._runtime.APIConnectionError)
    assert not isinstance(error, sdk._runtime.SubmissionUncertainError)
    assert "ConnectError" in str(error)
    assert len(waits) == 3  # max_retries: a refused connection surely created no job


def test_a_poll_dropped_or_timed_out_is_retried(
    sdk: ModuleType, make_server: Callable[..., RunningServer], mode: str
) -> None:
    server = make_server(
        faults=[
            Fault("GET", "/v1/requests/*/result", "drop", count=1),
            Fault("GET", "/v1/requests/*/result", "slow", ms=400, count=1),
        ]
    )
    result = _one(sdk, server, mode, timeout=0.1)
    assert result.urls()
    assert server.jobs_created() == 1


@pytest.mark.parametrize("kind", ["garbage", "redirect", "503"])
def test_bad_answers_are_the_same_typed_errors(
    sdk: ModuleType, make_server: Callable[..., RunningServer], kind: str, mode: str
) -> None:
    count = 99 if kind == "503" else 1  # 503 until the retries run out
    server = make_server(faults=[Fault("POST", "/v1/models/*", kind, count=count)])
    expected = sdk._runtime.APIStatusError if kind == "503" else sdk._runtime.ProtocolError
    assert isinstance(_one(sdk, server, mode, "submit"), expected)
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
    import httpx

    with httpx.Client() as own, pytest.raises(sdk.ConfigurationError, match="not both"):
        sdk.RunComfy(TOKEN, http_client=own, http_backend="aiohttp")
    with pytest.raises(sdk.ConfigurationError, match="'httpx' or 'aiohttp'"):
        sdk.RunComfy(TOKEN, http_backend="curl")


def test_closing_the_client_closes_its_aiohttp_session(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=0, progress_polls=0))
    kwargs = valid_kwargs(SPEC, server)

    async def scenario() -> Any:
        async with _client(sdk, server.base_url, "async") as client:
            await getattr(client, module_name(SPEC.model_id)).run(**kwargs)
            session = client._transport._http._transport.client
            assert not session.closed
        return session

    assert asyncio.run(scenario()).closed
    with _client(sdk, server.base_url, "sync") as client:
        getattr(client, module_name(SPEC.model_id)).run(**kwargs)
        session = _async_transport(client)._http._transport.client
        thread = client._transport._thread
        assert not session.closed and thread.is_alive()
    assert session.closed and not thread.is_alive()  # the loop's thread ends with the client


def test_file_probes_and_downloads_go_through_aiohttp(
    sdk: ModuleType, make_server: Callable[..., RunningServer], tmp_path: Path, mode: str
) -> None:
    """check_files=True (HEAD + a ranged GET), then save(): every byte as the server has it."""
    server = make_server(Schedule(queue_polls=0, progress_polls=0))
    good = {**valid_kwargs(SPEC, server), "check_files": True}
    small = {**good, "image_urls": [server.sample_url("image-small.png")]}  # rules want >= 320

    async def flow() -> tuple[Any, Any, list[Path]]:
        async with _client(sdk, server.base_url, mode) as client:
            endpoint = getattr(client, module_name(SPEC.model_id))
            with pytest.raises(sdk.InputValidationError) as refused:
                await endpoint.submit(**small)
            result = await endpoint.run(**good)
            return result, refused.value, await result.asave(tmp_path)

    def sync_flow() -> tuple[Any, Any, list[Path]]:
        with _client(sdk, server.base_url, mode) as client:
            endpoint = getattr(client, module_name(SPEC.model_id))
            with pytest.raises(sdk.InputValidationError) as refused:
                endpoint.submit(**small)
            result = endpoint.run(**good)
            return result, refused.value, result.save(tmp_path)

    result, refused, saved = asyncio.run(flow()) if mode == "async" else sync_flow()
    assert {issue.pointer for issue in refused.issues} == {"/image_urls/0"}
    assert server.jobs_created() == 1
    probes = [entry["method"] for entry in server.requests() if "/samples/" in entry["path"]]
    assert probes.count("HEAD") == 2  # the small image, then the good run's
    assert len(saved) == len(result.urls()) >= 1
    for url, path in zip(result.urls(), saved, strict=True):
        with urllib.request.urlopen(url) as answer:  # the server's own bytes, fetched plainly
            assert path.read_bytes() == answer.read()


def test_a_proxy_in_the_environment_is_honoured(
    sdk: ModuleType,
    make_server: Callable[..., RunningServer],
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    """httpx applies HTTP_PROXY & co. only without a transport of one's own: such a client
    stays on httpx's stack, so the proxy (here a port nobody listens on) is used."""
    server = make_server(Schedule(queue_polls=0, progress_polls=0))
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{placeholder.getsockname()[1]}")
        error = _one(sdk, server, mode, "submit", max_retries=0)
    assert isinstance(error, sdk._runtime.APIConnectionError), error
    assert server.requests("POST") == []  # it went to the proxy, not around it


def test_credentials_in_a_url_and_unencodable_hosts_are_not_raw_errors(
    sdk: ModuleType, make_server: Callable[..., RunningServer], tmp_path: Path, mode: str
) -> None:
    server = make_server(Schedule(queue_polls=0, progress_polls=0))
    with_credentials = server.base_url.replace("http://", "http://user:secret@")
    result = _one(sdk, server, mode, base=with_credentials)
    assert result.urls()

    async def adownload(url: str) -> BaseException | None:
        async with _client(sdk, server.base_url, mode) as client:
            try:
                await client._transport.download(url, tmp_path / "x", overwrite=True, deadline=None)
            except Exception as exc:
                return exc
        return None

    def download(url: str) -> BaseException | None:
        if mode == "async":
            return asyncio.run(adownload(url))
        with _client(sdk, server.base_url, mode) as client:
            try:
                client._transport.download(url, tmp_path / "x", overwrite=True, deadline=None)
            except Exception as exc:
                return exc
        return None

    error = download("http://" + "a" * 64 + ".example/x.png")
    assert isinstance(error, sdk._runtime.APIConnectionError), repr(error)
    assert download(with_credentials + "/samples/image.png") is None


def test_a_long_header_reads_as_with_httpx(
    sdk: ModuleType, make_server: Callable[..., RunningServer], mode: str
) -> None:
    """A 10 KB Location (signed storage URLs are long) is read, as h11 reads it: the
    redirect is refused as such, not lost as a broken answer."""
    where = "http://elsewhere.invalid/" + "a" * 10_000
    server = make_server(faults=[Fault("POST", "/v1/models/*", "redirect", message=where)])
    error = _one(sdk, server, mode, "submit")
    assert isinstance(error, sdk._runtime.ProtocolError) and "redirect" in str(error), error
    assert server.jobs_created() == 0


def test_an_interrupt_while_a_sync_request_waits_stops_it_and_the_client_goes_on(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    """Ctrl-C in the calling thread: KeyboardInterrupt as usual, the request on the loop is
    cancelled, and the client still works (RunComfy's `run` command then cancels the job)."""
    import _thread
    import threading

    server = make_server(
        Schedule(queue_polls=10**9, progress_polls=1),  # queued until cancelled
        faults=[Fault("GET", "/v1/requests/*/status", "slow", ms=3000)],
    )
    with _client(sdk, server.base_url, "sync") as client:
        handle = getattr(client, module_name(SPEC.model_id)).submit(**valid_kwargs(SPEC, server))
        timer = threading.Timer(0.3, _thread.interrupt_main)
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            handle.status()  # answered only after 3 s
        timer.join()
        handle.cancel()  # the loop is still there
        assert server.jobs()[0]["status"] == "cancelled"
