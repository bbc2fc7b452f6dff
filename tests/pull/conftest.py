"""A catalog to pull from: ``serve`` over a folder of the 120 corpus models and the 4 seeds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli, pull_cmd
from generator.runtime import RetryPolicy
from generator.schema.documented import CatalogInfo, DocumentedModel, dump_model_file, model_path
from generator.serve import RunningServer, serve_in_thread
from tests.conftest import ROOT, STANDARD_OUTPUT_SCHEMA

TOKEN = "pull-test-token-3f9a"
#: The page-imported seed models of this repository.
SEED_IDS = (
    "bytedance/dreamina-3-0/pro/image-to-video",
    "community/fantasy-portrait/image-to-video",
    "happyhorse/happyhorse-1.0/image-to-video",
    "runwayml/runway-aleph/video-to-video",
)


def catalog_model(entry: dict[str, Any], **changes: Any) -> DocumentedModel:
    medium = entry["output_type"].lower()
    model = DocumentedModel(
        model_id=entry["model_id"],
        endpoint="https://model-api.runcomfy.net/v1/models/" + entry["model_id"],
        source="catalog",
        example=None,
        input_schema=entry["input_schema"],
        output_schema=STANDARD_OUTPUT_SCHEMA,
        catalog=CatalogInfo(
            display_name=entry["display_name"],
            categories=(f"text-to-{medium}",),
            kind="model",
            base_price_usd=0.05 if medium == "image" else 0.12,
            price_unit="output" if medium == "image" else "second",
        ),
    )
    return replace(model, **changes)


def write_model(folder: Path, model: DocumentedModel) -> Path:
    path = model_path(folder, model.model_id, "test")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_model_file(model), encoding="utf-8")
    return path


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


def pull(base_url: str, schemas: Path, *args: str, token: str = TOKEN) -> Result:
    return CliRunner().invoke(
        cli,
        ["pull", "--schemas-dir", str(schemas), "--base-url", base_url, *args],
        env={"RUNCOMFY_API_TOKEN": token},
        catch_exceptions=False,
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
