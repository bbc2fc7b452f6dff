"""`diff OLD_DIR NEW_DIR`: whole catalogs, one bump; text, json and markdown."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.support.catalog import catalog_model, write_model
from tests.support.cli import run


def folders(tmp_path: Path, corpus: list[dict[str, Any]]) -> tuple[Path, Path, list[str]]:
    """OLD: models 0-5. NEW: models 1-6, model 1 with a narrower range."""
    old, new = tmp_path / "old", tmp_path / "new"
    for entry in corpus[:6]:
        write_model(old, catalog_model(entry))
    for entry in corpus[2:7]:
        write_model(new, catalog_model(entry))
    changed = copy.deepcopy(corpus[1])
    changed["input_schema"]["properties"]["duration"]["maximum"] = 10
    write_model(new, catalog_model(changed))
    return old, new, [entry["model_id"] for entry in corpus[:7]]


def test_text(tmp_path: Path, corpus: list[dict[str, Any]]) -> None:
    old, new, ids = folders(tmp_path, corpus)
    code, out, _ = run("diff", str(old), str(new))
    assert code == 0
    assert out.splitlines()[0] == (
        "catalog: 1 added, 1 removed, 1 changed, 4 unchanged; semver bump: major"
    )
    assert f"{ids[0]}: 1 change (1 breaking); semver bump: major" in out
    assert "model-removed" in out and "model-added" in out and "range-narrowed" in out
    assert f"{ids[6]}: 1 change (1 non-breaking); semver bump: minor" in out
    # models in id order, each reported as single-model diff reports it
    summaries = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert summaries[1:] == sorted([ids[0], ids[1], ids[6]])


def test_json_and_markdown(tmp_path: Path, corpus: list[dict[str, Any]]) -> None:
    old, new, ids = folders(tmp_path, corpus)
    _, out, _ = run("diff", str(old), str(new), "--format", "json")
    document = json.loads(out)
    assert document["version"] == 1 and document["kind"] == "catalog"
    assert document["bump"] == "major"
    assert document["summary"] == {
        "added": 1,
        "removed": 1,
        "changed": 1,
        "unchanged": 4,
        "breaking": 2,
        "non-breaking": 1,
        "noteworthy": 0,
    }
    statuses = {m["model_id"]: (m["status"], m["bump"]) for m in document["models"]}
    assert statuses == {
        ids[0]: ("removed", "major"),
        ids[1]: ("changed", "major"),
        ids[6]: ("added", "minor"),
    }
    _, md, _ = run("diff", str(old), str(new), "--format", "markdown")
    assert md.startswith("## Catalog changes\n\nSemver bump: **major** (1 added, 1 removed")
    assert f"### `{ids[0]}` (removed)\n\nSemver bump: **major**" in md


def test_fail_on_and_no_changes(tmp_path: Path, corpus: list[dict[str, Any]]) -> None:
    old, new, _ = folders(tmp_path, corpus)
    assert run("diff", str(old), str(new), "--fail-on", "breaking")[0] == 1
    code, out, _ = run("diff", str(old), str(old), "--fail-on", "any")
    assert code == 0
    assert out == "catalog: 0 added, 0 removed, 0 changed, 6 unchanged; semver bump: none\n"
    grown = tmp_path / "grown"
    for entry in corpus[:7]:
        write_model(grown, catalog_model(entry))
    code, out, _ = run("diff", str(old), str(grown), "--fail-on", "breaking")
    assert code == 0 and out.splitlines()[0].endswith("semver bump: minor")


def test_a_folder_and_a_file_is_an_error(tmp_path: Path, corpus: list[dict[str, Any]]) -> None:
    old, new, ids = folders(tmp_path, corpus)
    code, _, err = run("diff", str(old), str(new / f"{ids[2]}.json"))
    assert code == 2
    assert err == (
        f"error: {new / ids[2]}.json: not a folder: OLD and NEW must both be folders of "
        "model files\n"
    )
    (tmp_path / "empty").mkdir()
    code, _, err = run("diff", str(old), str(tmp_path / "empty"))
    assert code == 2 and "holds no model files" in err
