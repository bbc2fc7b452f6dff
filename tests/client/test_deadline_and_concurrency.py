"""The overall deadline of wait()/run(), and 100 async jobs on one event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import pytest

from generator.render.naming import module_name
from generator.serve import RunningServer, Schedule

from .conftest import TOKEN, fast_options
from .payloads import bundled_specs, valid_kwargs

SPEC = bundled_specs()[0]
#: A job that stays queued (resp. running) for as many polls as any test makes.
FOREVER = 10**9


def _endpoint(client: Any) -> Any:
    return getattr(client, module_name(SPEC.model_id))


def test_deadline_cancels_a_still_queued_job(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=FOREVER))
    client = sdk.RunComfy(TOKEN, base_url=server.base_url, **fast_options(sdk))
    with client, pytest.raises(sdk.DeadlineExceededError) as caught:
        handle = _endpoint(client).submit(**valid_kwargs(SPEC, server))
        assert handle.status().status == "in_queue"
        handle.wait(wait_timeout=0.05)
    assert isinstance(caught.value, TimeoutError)  # DeadlineExceededError is a TimeoutError too
    error: Any = caught.value
    assert error.last_status == "in_queue"
    assert error.cancel_outcome is not None and error.cancel_outcome.cancelled
    [job] = server.jobs()
    assert (job["request_id"], job["status"], job["cancel_requests"]) == (
        error.request_id,
        "cancelled",
        1,
    )


def test_run_deadline_counts_the_submit_and_cancels(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=FOREVER))
    client = sdk.RunComfy(TOKEN, base_url=server.base_url, **fast_options(sdk))
    with client, pytest.raises(sdk.DeadlineExceededError) as caught:
        _endpoint(client).run(**valid_kwargs(SPEC, server), wait_timeout=0.05)
    # Whether a status poll was answered in time or not (then the status is unknown, treated
    # as queued), the still-queued job is cancelled.
    assert caught.value.cancel_outcome is not None and caught.value.cancel_outcome.cancelled
    assert [job["status"] for job in server.jobs()] == ["cancelled"]


def test_deadline_leaves_the_job_alone_when_told_to(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=FOREVER))
    options = fast_options(sdk, cancel_on_timeout=False, wait_timeout=0.05)
    with sdk.RunComfy(TOKEN, base_url=server.base_url, **options) as client:
        handle = _endpoint(client).submit(**valid_kwargs(SPEC, server))
        with pytest.raises(sdk.DeadlineExceededError) as caught:
            handle.wait()  # the client-wide wait_timeout applies
    assert caught.value.cancel_outcome is None
    assert [(j["status"], j["cancel_requests"]) for j in server.jobs()] == [("in_queue", 0)]


def test_deadline_does_not_cancel_a_running_job(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=0, progress_polls=FOREVER))
    with sdk.RunComfy(TOKEN, base_url=server.base_url, **fast_options(sdk)) as client:
        handle = _endpoint(client).submit(**valid_kwargs(SPEC, server))
        assert handle.status().status == "in_progress"
        with pytest.raises(sdk.DeadlineExceededError) as caught:
            handle.wait(wait_timeout=0.05)
    assert caught.value.last_status == "in_progress"
    assert caught.value.cancel_outcome is None
    assert server.jobs()[0]["cancel_requests"] == 0


def test_async_deadline_cancels_too(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=FOREVER))

    async def scenario() -> Any:
        async with sdk.AsyncRunComfy(
            TOKEN, base_url=server.base_url, **fast_options(sdk)
        ) as client:
            with pytest.raises(sdk.DeadlineExceededError) as caught:
                await _endpoint(client).run(**valid_kwargs(SPEC, server), wait_timeout=0.05)
            return caught.value

    error = asyncio.run(scenario())
    assert error.cancel_outcome is not None and error.cancel_outcome.cancelled
    assert server.jobs()[0]["status"] == "cancelled"


def test_hundred_async_jobs_on_one_event_loop(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=2, progress_polls=2, queue_start_position=2))
    kwargs = valid_kwargs(SPEC, server)

    async def scenario() -> tuple[list[Any], dict[str, list[str]]]:
        seen: dict[str, list[str]] = {}
        async with sdk.AsyncRunComfy(
            TOKEN, base_url=server.base_url, **fast_options(sdk)
        ) as client:
            endpoint = _endpoint(client)

            async def one(n: int) -> Any:
                handle = await endpoint.submit(**{**kwargs, "seed": n})
                return await handle.wait(
                    on_update=lambda u: seen.setdefault(u.request_id, []).append(u.status)
                )

            results = await asyncio.gather(*(one(n) for n in range(100)))
        return results, seen

    results, seen = asyncio.run(scenario())
    ids = {result.request_id for result in results}
    assert len(ids) == 100
    assert server.jobs_created() == 100
    assert {job["payload"]["seed"] for job in server.jobs()} == set(range(100))
    assert set(seen) == ids
    assert all(statuses[-1] == "completed" for statuses in seen.values())
    assert all(result.urls() for result in results)


def _no_loss(server: RunningServer, outcomes: list[Any], n: int) -> None:
    """Every job done once: no failure, no duplicate submit, no job the caller lost."""
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    ids = {o.request_id for o in outcomes}
    assert len(ids) == n
    assert server.jobs_created() == n
    assert {job["request_id"] for job in server.jobs()} == ids


def test_200_async_runs_through_a_small_pool(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    """Far more jobs than connections: they wait for a free one, none fails for it."""
    server = make_server(Schedule(queue_polls=1, progress_polls=1))
    kwargs = valid_kwargs(SPEC, server)

    async def scenario() -> list[Any]:
        async with sdk.AsyncRunComfy(
            TOKEN, base_url=server.base_url, **fast_options(sdk, max_connections=4)
        ) as client:
            endpoint = _endpoint(client)
            return await asyncio.gather(
                *(endpoint.run(**kwargs) for _ in range(200)), return_exceptions=True
            )

    _no_loss(server, asyncio.run(scenario()), 200)


def test_200_sync_runs_from_a_thread_pool(
    sdk: ModuleType, make_server: Callable[..., RunningServer]
) -> None:
    server = make_server(Schedule(queue_polls=1, progress_polls=1))
    kwargs = valid_kwargs(SPEC, server)
    options = fast_options(sdk, max_connections=4)
    with (
        sdk.RunComfy(TOKEN, base_url=server.base_url, **options) as client,
        ThreadPoolExecutor(max_workers=50) as pool,
    ):
        endpoint = _endpoint(client)
        outcomes = list(pool.map(lambda _: endpoint.run(**kwargs), range(200)))
    _no_loss(server, outcomes, 200)
