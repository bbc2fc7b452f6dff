"""The API token never shows: not in repr/str of any object, error, log line or written file.

The server is made to echo the token back in error messages and a job's error, the worst
case: the client must scrub it from everything it hands the caller.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.render.naming import module_name
from generator.serve import Fault, RunningServer, Schedule

from .conftest import TOKEN, fast_options
from .payloads import bundled_specs, valid_kwargs

SPEC = bundled_specs()[0]


def _texts(thing: Any) -> Iterator[str]:
    """repr and str of ``thing``; for an error also of its attributes and its cause chain."""
    seen: set[int] = set()
    todo = [thing]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield repr(item)
        yield str(item)
        if isinstance(item, BaseException):
            yield from (repr(arg) for arg in item.args)
            todo.extend(vars(item).values())
            todo.extend(x for x in (item.__cause__, item.__context__) if x is not None)


def _leaks(things: list[Any]) -> list[str]:
    return [text for thing in things for text in _texts(thing) if TOKEN in text]


def _catch(action: Callable[[], Any]) -> BaseException:
    try:
        action()
    except Exception as exc:
        return exc
    raise AssertionError("expected an error")


def test_token_never_shows(
    sdk: ModuleType,
    sdk_dir: Path,
    make_server: Callable[..., RunningServer],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx's and httpcore's
    echo = f"token {TOKEN} is not welcome here"
    server = make_server(
        Schedule(queue_polls=1, progress_polls=1),
        faults=[
            # wait() polls the result three times (queued, running, done); the next is refused.
            Fault("GET", "/v1/requests/*/result", "500", count=1, after=3, message=echo),
            Fault("POST", "/v1/models/*", "422", count=1, message=echo),
            Fault("POST", "/v1/models/*", "fail", count=1, after=2, message=echo),
            Fault("POST", "/v1/models/*", "drop-after", count=1, after=3),
        ],
    )
    things: list[Any] = []
    kwargs = valid_kwargs(SPEC, server)
    retry = sdk._runtime.RetryPolicy(max_retries=0)
    with sdk.RunComfy(
        TOKEN, base_url=server.base_url, **fast_options(sdk, retry_policy=retry)
    ) as client:
        endpoint = getattr(client, module_name(SPEC.model_id))
        things += [client, endpoint, client._transport, client._transport.settings]
        things.append(_catch(lambda: endpoint.submit(**kwargs)))  # 422 echoing the token
        handle = endpoint.submit(**kwargs)
        result = handle.wait()  # the polls are fine (the fault lets three through)
        things += [handle, result, result.save(tmp_path)]
        things.append(_catch(handle.result))  # 500 echoing the token
        failing = endpoint.submit(**kwargs)
        things.append(_catch(failing.wait))  # job error echoing the token
        things.append(_catch(lambda: endpoint.submit(**kwargs)))  # dropped submit
        things.append(_catch(lambda: endpoint.handle("missing").status()))
        queued = make_server(Schedule(queue_polls=10**9))
    with sdk.RunComfy(TOKEN, base_url=queued.base_url, **fast_options(sdk)) as other:
        slow = getattr(other, module_name(SPEC.model_id))
        # The deadline must outlast the submit (a deadline reached during the submit is a
        # SubmissionUncertainError, not DeadlineExceededError): 0.02 s failed on a busy machine.
        things.append(_catch(lambda: slow.run(**valid_kwargs(SPEC, queued), wait_timeout=1.0)))

    async def async_side() -> None:
        async with sdk.AsyncRunComfy(
            TOKEN, base_url=server.base_url, **fast_options(sdk)
        ) as client:
            endpoint = getattr(client, module_name(SPEC.model_id))
            handle = await endpoint.submit(**kwargs)
            things.extend([client, endpoint, handle, await handle.wait()])

    asyncio.run(async_side())

    kinds = {type(thing).__name__ for thing in things}
    assert {
        "InputRejectedError",
        "ServerError",
        "JobFailedError",
        "SubmissionUncertainError",
        "NotFoundError",
        "DeadlineExceededError",
    } <= kinds
    assert any(echo.replace(TOKEN, "***") in text for t in things for text in _texts(t))
    assert _leaks(things) == []
    assert TOKEN not in caplog.text
    assert caplog.records, "nothing was logged, so the log check proves nothing"
    written = [p for root in (sdk_dir, tmp_path) for p in root.rglob("*") if p.is_file()]
    assert written
    assert [p for p in written if TOKEN.encode() in p.read_bytes()] == []


def test_the_documented_short_test_token_runs_jobs_end_to_end(sdk: ModuleType) -> None:
    """docs/serve.md starts the server with ``--token t``: a job must go through whole."""
    from generator.serve import serve_in_thread

    from .conftest import SCHEMAS

    endpoint_name = module_name(SPEC.model_id)
    with (
        serve_in_thread(SCHEMAS, token="t", schedule=Schedule(queue_polls=1)) as server,
        sdk.RunComfy("t", base_url=server.base_url, **fast_options(sdk)) as client,
    ):
        result = getattr(client, endpoint_name).run(**valid_kwargs(SPEC, server))
    assert result.status == "completed" and "***" not in result.request_id
    assert result.urls() and all(url.startswith("http://127.0.0.1:") for url in result.urls())
