"""End-to-end fixtures: the generated SDK, built fresh, against the local RunComfy server.

The SDK is built in memory by the real generator from ``schemas/``, today's templates and the
runtime (``generator/runtime``), written to a temporary folder and imported from there, so the
tests exercise exactly what ``generate`` would write. The server is ``runcomfy-codegen
serve``'s, started in a thread on a free 127.0.0.1 port for each test: real HTTP, no mocks.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.output.build import build_outputs
from generator.serve import RunningServer, Schedule, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
#: Distinctive enough that finding it anywhere in an output is certainly a leak.
TOKEN = "rc-test-SECRET-7f3a9c1d2e4b"
PACKAGE = "runcomfy_models"


def _forget_package() -> dict[str, ModuleType]:
    gone = {
        name: module
        for name, module in sys.modules.items()
        if name == PACKAGE or name.startswith(PACKAGE + ".")
    }
    for name in gone:
        del sys.modules[name]
    return gone


@pytest.fixture(scope="package")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated ``python/`` folder (pyproject + runcomfy_models) in a temporary folder."""
    root = tmp_path_factory.mktemp("sdk")
    for relative, text in build_outputs(SCHEMAS).items():
        if relative.startswith("python/"):
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return root / "python"


@pytest.fixture(scope="package")
def sdk(sdk_dir: Path) -> Iterator[ModuleType]:
    """``import runcomfy_models`` from the fresh build (any other copy is set aside meanwhile)."""
    saved = _forget_package()
    sys.path.insert(0, str(sdk_dir))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(sdk_dir))
        _forget_package()
        sys.modules.update(saved)


@pytest.fixture
def make_server() -> Iterator[Callable[..., RunningServer]]:
    """Start a server with a given schedule/faults; all are stopped after the test."""
    stack: list[Any] = []

    def start(schedule: Schedule | None = None, **kwargs: Any) -> RunningServer:
        context = serve_in_thread(SCHEMAS, token=TOKEN, schedule=schedule, **kwargs)
        server = context.__enter__()
        stack.append(context)
        return server

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture
def server(make_server: Callable[..., RunningServer]) -> RunningServer:
    """A server whose jobs are queued for one poll and run for one more."""
    return make_server(Schedule(queue_polls=1, progress_polls=1))


def fast_options(sdk: ModuleType, **overrides: Any) -> dict[str, Any]:
    """Client options with millisecond polling and backoff, so no test sleeps for long."""
    runtime = sdk._runtime
    options: dict[str, Any] = {
        "poll_policy": runtime.PollPolicy(initial_interval=0.002, max_interval=0.01),
        "retry_policy": runtime.RetryPolicy(
            max_retries=3, initial_backoff=0.002, max_backoff=0.01, max_retry_after=0.01
        ),
        "timeout": 5.0,
        "wait_timeout": 30.0,
    }
    options.update(overrides)
    return options


@pytest.fixture
def client(sdk: ModuleType, server: RunningServer) -> Iterator[Any]:
    with sdk.RunComfy(TOKEN, base_url=server.base_url, **fast_options(sdk)) as made:
        yield made
