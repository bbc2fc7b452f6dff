"""``wait_timeout`` covers submit, polls, Retry-After pauses and the result; requests in
flight never exceed the pool, and waiting for a connection never fails an accepted job."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from generator.runtime import DeadlineExceededError, PollPolicy, RateLimitError, RetryPolicy

from .conftest import Script, TinyInput, make_async_client, make_client, ok


def test_an_unanswered_submit_stops_at_the_deadline() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        timeout = request.extensions["timeout"]["read"]
        time.sleep(timeout)  # what a silent server does: the read timeout fires
        raise httpx.ReadTimeout("no answer", request=request)

    client, endpoint = make_client(Script().on("submit", hang), timeout=60.0)
    started = time.monotonic()
    with client, pytest.raises(Exception) as caught:
        endpoint._run(TinyInput(prompt="x"), wait_timeout=0.2)
    assert time.monotonic() - started < 5
    assert type(caught.value).__name__ == "SubmissionUncertainError"  # it may exist


def test_a_retry_after_beyond_the_deadline_is_not_slept() -> None:
    script = Script().on("submit", ok({"request_id": "r"}))
    script.on("result", ok({"message": "busy"}, 429, **{"Retry-After": "8"}))
    client, endpoint = make_client(script, retry_policy=RetryPolicy(max_retry_after=60))
    started = time.monotonic()
    with client, pytest.raises(RateLimitError) as caught:
        endpoint._run(TinyInput(prompt="x"), wait_timeout=0.3)
    assert time.monotonic() - started < 5  # not 8 s of Retry-After: said at once
    assert (caught.value.request_id, caught.value.retry_after) == ("r", 8.0)
    assert len(script.requests("result")) == 1


def test_a_hanging_result_fetch_stops_at_the_deadline() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        time.sleep(request.extensions["timeout"]["read"])
        raise httpx.ReadTimeout("no answer", request=request)

    script = Script().on("submit", ok({"request_id": "r"})).on("result", hang)
    script.on("cancel", ok({"outcome": "cancelled"}))
    client, endpoint = make_client(script, timeout=30.0)
    started = time.monotonic()
    with client, pytest.raises(DeadlineExceededError) as caught:
        endpoint._run(TinyInput(prompt="x"), wait_timeout=0.3)
    assert time.monotonic() - started < 15  # the cancel has its own short grace
    assert caught.value.cancel_outcome is not None  # unknown status counts as queued


def test_no_connection_before_the_deadline_means_no_job() -> None:
    gate = threading.Event()

    def slow_submit(request: httpx.Request) -> httpx.Response:
        gate.wait(5)
        return ok({"request_id": "first"})

    script = Script().on("submit", slow_submit)
    client, endpoint = make_client(script, max_connections=1)
    with client, ThreadPoolExecutor(1) as pool:
        first = pool.submit(endpoint._submit, TinyInput(prompt="x"))
        time.sleep(0.05)  # the only connection is now busy
        with pytest.raises(DeadlineExceededError) as caught:
            endpoint._run(TinyInput(prompt="y"), wait_timeout=0.1)
        gate.set()
        assert first.result().request_id == "first"
    assert caught.value.request_id is None and "no job was created" in str(caught.value)
    assert len(script.requests("submit")) == 1


def _counting_handler(limit_seen: list[int]) -> Any:
    in_flight = 0
    submits = 0
    polls: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, submits
        in_flight += 1
        limit_seen.append(in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        path = request.url.path
        if path.startswith("/v1/models/"):
            submits += 1
            return ok({"request_id": f"r{submits}"})
        request_id = path.split("/")[3]
        polls[request_id] = polls.get(request_id, 0) + 1
        if polls[request_id] < 2:
            return ok({"status": "in_progress"})
        return ok({"status": "completed", "output": {"image": "https://x.test/1.png"}})

    return handler


def test_requests_in_flight_never_exceed_the_pool() -> None:
    seen: list[int] = []

    async def main() -> list[Any]:
        client, endpoint = make_async_client(
            _counting_handler(seen),
            max_connections=4,
            poll_policy=PollPolicy(initial_interval=0.001, max_interval=0.001),
        )
        async with client:
            return await asyncio.gather(
                *(endpoint._run(TinyInput(prompt="x")) for _ in range(200)),
                return_exceptions=True,
            )

    outcomes = asyncio.run(main())
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert len({o.request_id for o in outcomes}) == 200
    assert max(seen) == 4  # bounded at the pool, and the pool was used
    assert len(seen) == 200 * 3  # a submit and two polls each, nothing resent


def test_a_cancelled_task_names_its_job() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v1/models/"):
            return ok({"request_id": "r-cancelled"})
        return ok({"status": "in_queue"})

    async def main() -> BaseException:
        client, endpoint = make_async_client(
            handler, poll_policy=PollPolicy(initial_interval=0.01, max_interval=0.01)
        )
        async with client:
            task = asyncio.ensure_future(endpoint._run(TinyInput(prompt="x")))
            await asyncio.sleep(0.1)  # submitted, now polling
            task.cancel()
            try:
                await task
            except asyncio.CancelledError as exc:
                return exc
        raise AssertionError("the task was not cancelled")

    cancelled = asyncio.run(main())
    assert "RunComfy request_id: r-cancelled" in getattr(cancelled, "__notes__", [])
