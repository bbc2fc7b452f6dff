"""Snapshot files under tests/snapshots/: compared, or rewritten with UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import os

from tests.support.paths import SNAPSHOTS

#: Set UPDATE_SNAPSHOTS=1 to rewrite the snapshot files instead of comparing.
UPDATE_SNAPSHOTS = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def check_snapshot(name: str, actual: str) -> None:
    """Compare ``actual`` with tests/snapshots/<name>; UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if UPDATE_SNAPSHOTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path}; run UPDATE_SNAPSHOTS=1 pytest to create it"
    assert actual == path.read_text(encoding="utf-8"), f"snapshot {name} differs"
