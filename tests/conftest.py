"""Shared fixtures: the seed pages and the corpus live in ../shared (never copied here)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus" / "catalog-input-schemas.json"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
#: Set UPDATE_SNAPSHOTS=1 to rewrite the snapshot files instead of comparing.
UPDATE_SNAPSHOTS = os.environ.get("UPDATE_SNAPSHOTS") == "1"

#: The output schema RunComfy documents for every model (the corpus has input schemas only).
STANDARD_OUTPUT_SCHEMA: dict[str, Any] = {
    "output": {
        "type": "object",
        "properties": {
            "image": {"type": "string", "format": "uri"},
            "video": {"type": "string", "format": "uri"},
            "images": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "videos": {"type": "array", "items": {"type": "string", "format": "uri"}},
        },
    }
}


def _need(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must have ../shared beside the checkout")
        pytest.skip(f"{path} not found: the shared seeds/corpus sit beside the checkout in CI")
    return path


@pytest.fixture(scope="session")
def seed_pages() -> list[Path]:
    return sorted(_need(SEEDS).glob("*.txt"))


@pytest.fixture(scope="session")
def corpus() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(_need(CORPUS).read_text(encoding="utf-8"))
    return entries


def check_snapshot(name: str, actual: str) -> None:
    """Compare ``actual`` with tests/snapshots/<name>; UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if UPDATE_SNAPSHOTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path}; run UPDATE_SNAPSHOTS=1 pytest to create it"
    assert actual == path.read_text(encoding="utf-8"), f"snapshot {name} differs"
