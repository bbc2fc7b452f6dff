"""Outside git, ``generate`` bumps the version and writes the CHANGELOG against the release it
records in ``<out>/release.json`` (moved on by ``generate --release``), never the folder on disk."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.output.release import RELEASE_MANIFEST

ROOT = Path(__file__).resolve().parents[2]
MODEL = "runwayml/runway-aleph/video-to-video"


def _run(schemas: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["generate", "--schemas", str(schemas), "--out", str(out), *extra]
    )
    return result.exit_code, result.stderr


def _generate(schemas: Path, out: Path, *extra: str) -> int:
    return _run(schemas, out, *extra)[0]


def _version(out: Path) -> str:
    data: dict[str, Any] = tomllib.loads((out / "python/pyproject.toml").read_text("utf-8"))
    return str(data["project"]["version"])


def _changelog(out: Path) -> str:
    return (out / "python/CHANGELOG.md").read_text("utf-8")


def _released(out: Path) -> Any:
    return json.loads((out / RELEASE_MANIFEST).read_text("utf-8"))


def _edit(schemas: Path, change: Callable[[dict[str, Any]], object]) -> None:
    path = schemas / f"{MODEL}.json"
    model = json.loads(path.read_text("utf-8"))
    change(model["input_schema"])
    path.write_text(json.dumps(model, indent=2), "utf-8")


def _add_seed(schema: dict[str, Any]) -> None:
    schema["properties"]["seed"] = {"type": "integer"}


def _drop_ratio(schema: dict[str, Any]) -> None:
    schema["properties"]["ratio"]["enum"].remove("640:480")


@pytest.fixture
def schemas(tmp_path: Path) -> Path:
    folder = tmp_path / "schemas"
    (folder / MODEL).parent.mkdir(parents=True)
    shutil.copy(ROOT / "schemas" / f"{MODEL}.json", folder / f"{MODEL}.json")
    return folder


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_nothing_released_yet_is_the_first_release_whatever_changes(
    schemas: Path, tmp_path: Path
) -> None:
    out = tmp_path / "generated"
    assert _generate(schemas, out) == 0
    assert _version(out) == "0.1.0"
    assert f"- `{MODEL}`" in _changelog(out)
    assert _released(out)["version"] is None and _released(out)["schemas"] == {}
    _edit(schemas, _add_seed)
    assert _generate(schemas, out) == 0
    assert _version(out) == "0.1.0" and _changelog(out).count("## ") == 1


def test_changes_since_the_release_are_one_bump_and_a_revert_is_none(
    schemas: Path, tmp_path: Path
) -> None:
    out = tmp_path / "generated"
    original = (schemas / f"{MODEL}.json").read_bytes()
    assert _generate(schemas, out, "--release") == 0
    released = _tree(out)
    assert _released(out)["version"] == "0.1.0" and MODEL in _released(out)["schemas"]
    assert _generate(schemas, out) == 0 and _tree(out) == released  # no change, no release

    # A new optional property: compatible, minor.
    _edit(schemas, _add_seed)
    assert _generate(schemas, out, "--check") == 1
    assert _version(out) == "0.1.0", "--check must not write"
    assert _generate(schemas, out) == 0
    assert _version(out) == "0.2.0"
    assert _generate(schemas, out, "--check") == 0
    # Regenerating again, and a second (breaking) edit before the release: one bump from 0.1.0
    # and one entry holding both changes.
    assert _generate(schemas, out) == 0 and _version(out) == "0.2.0"
    _edit(schemas, _drop_ratio)
    assert _generate(schemas, out) == 0
    assert _version(out) == "1.0.0"
    changelog = _changelog(out)
    assert "## 0.2.0" not in changelog
    newest = changelog[changelog.index("## 1.0.0") : changelog.index("## 0.1.0")]
    assert "seed" in newest and "640:480" in newest
    assert _released(out)["version"] == "0.1.0"  # generate alone never moves the release

    # Both edits reverted: back to the release, byte for byte.
    (schemas / f"{MODEL}.json").write_bytes(original)
    assert _generate(schemas, out) == 0
    assert _tree(out) == released


def test_release_moves_the_baseline_and_the_changelog_keeps_every_release(
    schemas: Path, tmp_path: Path
) -> None:
    out = tmp_path / "generated"
    assert _generate(schemas, out, "--release") == 0
    _edit(schemas, _add_seed)
    assert _generate(schemas, out) == 0
    assert _generate(schemas, out, "--release", "--check") == 1  # the manifest would move
    assert _generate(schemas, out, "--release") == 0
    assert _released(out)["version"] == "0.2.0" and _version(out) == "0.2.0"
    assert _generate(schemas, out, "--check") == 0
    _edit(schemas, _drop_ratio)
    assert _generate(schemas, out) == 0
    assert _version(out) == "1.0.0"
    changelog = _changelog(out)
    newest, middle, first = (changelog.index(f"## {v}") for v in ("1.0.0", "0.2.0", "0.1.0"))
    assert newest < middle < first
    assert "640:480" in changelog[newest:middle] and "seed" in changelog[middle:first]


def test_a_folder_written_before_release_manifests_is_released_as_it_is(
    schemas: Path, tmp_path: Path
) -> None:
    out = tmp_path / "generated"
    assert _generate(schemas, out, "--release") == 0
    (out / RELEASE_MANIFEST).unlink()
    _edit(schemas, _add_seed)
    assert _generate(schemas, out) == 0
    assert _version(out) == "0.2.0"
    assert _released(out)["version"] == "0.1.0"  # the folder as it was, recorded
    assert _generate(schemas, out) == 0 and _version(out) == "0.2.0"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("{not json", "unreadable release manifest"),
        ('{"format": 2, "schemas": {}}', "#/format"),
        ('{"format": true, "version": null, "schemas": {}}', "#/format"),
        ('{"format": 1.0, "version": null, "schemas": {}}', "#/format"),
        ('{"format": 1, "version": "1.0", "schemas": {}}', "#/version"),
        ('{"format": 1, "version": "1.0.0", "changelog": 3, "schemas": {}}', "#/changelog"),
        ('{"format": 1, "version": "1.0.0", "schemas": []}', "#/schemas"),
        ('{"format": 1, "version": null, "schemas": {"a/b": {"input": "{}"}}}', "#/schemas/a~1b"),
        ('{"format": 1, "version": "1.0.0", "schemas": {"../../x": {}}}', "unsafe segment"),
        ('{"format": 1, "version": "1.0.0", "schemas": {"a": {}}}', "#/schemas/a: model id"),
    ],
)
def test_a_broken_release_manifest_is_one_line_exit_2_and_nothing_written(
    schemas: Path, tmp_path: Path, text: str, where: str
) -> None:
    out = tmp_path / "generated"
    assert _generate(schemas, out) == 0
    (out / RELEASE_MANIFEST).write_text(text, "utf-8")
    before = _tree(out)
    _edit(schemas, _add_seed)
    code, err = _run(schemas, out)
    assert code == 2 and err.count("\n") == 1, err
    assert RELEASE_MANIFEST in err and where in err
    assert _tree(out) == before


def test_a_symlinked_release_manifest_is_refused(schemas: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    assert _generate(schemas, out) == 0
    secret = tmp_path / "secret.json"
    secret.write_text('{"format": 1, "version": "9.9.9", "schemas": {}}', "utf-8")
    (out / RELEASE_MANIFEST).unlink()
    (out / RELEASE_MANIFEST).symlink_to(secret)
    code, err = _run(schemas, out)
    assert code == 2 and "symlink" in err and err.count("\n") == 1
    assert secret.read_text("utf-8").startswith('{"format": 1')


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_a_folder_before_manifests_reads_only_the_schema_files_generate_wrote(
    schemas: Path, tmp_path: Path, kind: str
) -> None:
    """Without a manifest the folder on disk is the release: a FIFO among its schemas hung
    generate for ever (read_text waits for a writer), and a symlink out of the folder had its
    target recorded in release.json. Neither is a file generate writes: both are skipped."""
    out = tmp_path / "generated"
    assert _generate(schemas, out, "--release") == 0
    (out / RELEASE_MANIFEST).unlink()
    planted = out / "schemas" / "acme" / "planted" / "input.schema.json"
    planted.parent.mkdir(parents=True)
    (planted.parent / "output.schema.json").write_text("{}", "utf-8")
    secret = tmp_path / "secret.json"
    secret.write_text('{"secret": "token"}', "utf-8")
    if kind == "fifo":
        os.mkfifo(planted)
    else:
        planted.symlink_to(secret)
    assert _generate(schemas, out, "--force") == 0  # --force: keep the planted files
    assert "secret" not in (out / RELEASE_MANIFEST).read_text("utf-8")
    assert set(_released(out)["schemas"]) == {MODEL}


@pytest.mark.parametrize("part", ["input", "output"])
def test_a_released_schema_text_the_manifest_holds_broken_is_named_in_the_manifest(
    schemas: Path, tmp_path: Path, part: str
) -> None:
    """The released texts come from release.json: the error named
    <out>/schemas/<model>/input.schema.json, a file that is fine (or absent)."""
    out = tmp_path / "generated"
    assert _generate(schemas, out, "--release") == 0
    manifest = _released(out)
    manifest["schemas"][MODEL][part] = "{not json"
    (out / RELEASE_MANIFEST).write_text(json.dumps(manifest), "utf-8")
    _edit(schemas, _add_seed)
    code, err = _run(schemas, out)
    pointer = "/schemas/" + MODEL.replace("/", "~1") + "/" + part
    assert code == 2 and err.count("\n") == 1, err
    assert f"{out / RELEASE_MANIFEST}#{pointer}:" in err, err


def test_a_folder_before_manifests_records_only_model_ids_it_can_read_back(
    schemas: Path, tmp_path: Path
) -> None:
    """schemas/single/ (kept beside with --force) was recorded as the released model 'single';
    the next generate refused the manifest it had written (and again after deleting it)."""
    out = tmp_path / "generated"
    assert _generate(schemas, out, "--release") == 0
    (out / RELEASE_MANIFEST).unlink()
    planted = out / "schemas" / "single"
    shutil.copytree(out / "schemas" / MODEL, planted)
    assert _generate(schemas, out, "--force") == 0
    assert set(_released(out)["schemas"]) == {MODEL}
    assert _run(schemas, out, "--force") == (0, "")
