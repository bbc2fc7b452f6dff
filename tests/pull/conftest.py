"""A catalog to pull from: ``serve`` over a folder of the 120 corpus models and the 4 seeds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import pull_cmd
from generator.runtime import RetryPolicy
from generator.serve import RunningServer, serve_in_thread
from tests.pull.helpers import TOKEN
from tests.support.catalog import catalog_model, write_model
from tests.support.paths import ROOT


@pytest.fixture
def remote(tmp_path: Path, corpus: list[dict[str, Any]]) -> Path:
    """The catalog's side: 120 corpus models written as pulled files, plus the 4 seed pages."""
    folder = tmp_path / "remote"
    for entry in corpus:
        write_model(folder, catalog_model(entry))
    for path in (ROOT / "schemas").rglob("*.json"):
        target = folder / path.relative_to(ROOT / "schemas")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return folder


@pytest.fixture
def small_remote(tmp_path: Path, corpus: list[dict[str, Any]]) -> Path:
    """Eight corpus models: for what does not need more than one page."""
    folder = tmp_path / "small-remote"
    for entry in corpus[:8]:
        write_model(folder, catalog_model(entry))
    return folder


@pytest.fixture
def small_server(small_remote: Path) -> Iterator[RunningServer]:
    with serve_in_thread(small_remote, token=TOKEN) as running:
        yield running


@pytest.fixture
def server(remote: Path) -> Iterator[RunningServer]:
    with serve_in_thread(remote, token=TOKEN) as running:
        yield running


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry as in production, without the waiting."""
    policy = RetryPolicy(max_retries=2, initial_backoff=0, max_backoff=0, max_retry_after=5)
    monkeypatch.setattr(pull_cmd, "RETRY", policy)
