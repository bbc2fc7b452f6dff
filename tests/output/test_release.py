"""``generate`` bumps the generated package's version and writes its CHANGELOG from schema diffs."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from generator.cli import cli

ROOT = Path(__file__).resolve().parents[2]
MODEL = "runwayml/runway-aleph/video-to-video"


def _generate(schemas: Path, out: Path, *extra: str) -> int:
    result = CliRunner().invoke(
        cli, ["generate", "--schemas", str(schemas), "--out", str(out), *extra]
    )
    return result.exit_code


def _version(out: Path) -> str:
    data: dict[str, Any] = tomllib.loads((out / "python/pyproject.toml").read_text("utf-8"))
    return str(data["project"]["version"])


def _edit(schemas: Path, change: Any) -> None:
    path = schemas / f"{MODEL}.json"
    model = json.loads(path.read_text("utf-8"))
    change(model["input_schema"])
    path.write_text(json.dumps(model, indent=2), "utf-8")


def test_versions_and_changelog_follow_schema_changes(tmp_path: Path) -> None:
    schemas, out = tmp_path / "schemas", tmp_path / "generated"
    (schemas / MODEL).parent.mkdir(parents=True)
    shutil.copy(ROOT / "schemas" / f"{MODEL}.json", schemas / f"{MODEL}.json")

    assert _generate(schemas, out) == 0
    assert _version(out) == "0.1.0"
    assert f"- `{MODEL}`" in (out / "python/CHANGELOG.md").read_text("utf-8")
    # Regenerating unchanged schemas is no release.
    assert _generate(schemas, out) == 0
    assert _version(out) == "0.1.0"

    # A new optional property: compatible, minor.
    _edit(schemas, lambda s: s["properties"].update({"seed": {"type": "integer"}}))
    assert _generate(schemas, out, "--check") == 1
    assert _version(out) == "0.1.0", "--check must not write"
    assert _generate(schemas, out) == 0
    assert _version(out) == "0.2.0"
    assert _generate(schemas, out, "--check") == 0

    # An enum value removed: breaking, major.
    _edit(schemas, lambda s: s["properties"]["ratio"]["enum"].remove("640:480"))
    assert _generate(schemas, out) == 0
    assert _version(out) == "1.0.0"
    changelog = (out / "python/CHANGELOG.md").read_text("utf-8")
    newest, middle, first = (changelog.index(f"## {v}") for v in ("1.0.0", "0.2.0", "0.1.0"))
    assert newest < middle < first
    assert "640:480" in changelog[newest:middle]
    assert "seed" in changelog[middle:first]
    assert _generate(schemas, out, "--check") == 0
