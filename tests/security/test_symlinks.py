"""A symlink in a schemas folder is input naming a file: it is never followed out of the folder.

A model file (or its names file) committed as a symlink to ``~/.config/...`` or ``/dev/stdin``
made ``generate``, ``lint`` and ``serve`` read it, publish what it held in the generated
package and docs, or wait on it for ever.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.paths import ROOT

PORTRAIT = ROOT / "schemas/community/fantasy-portrait/image-to-video.json"
SECRET = "SECRET-symlink-4b1d-do-not-publish"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A model file outside the schemas folder whose description is a secret."""
    data = json.loads(PORTRAIT.read_text(encoding="utf-8"))
    data["model_id"] = "acme/model/image"
    data["input_schema"]["description"] = SECRET
    path = tmp_path / "elsewhere" / "private.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _schemas(tmp_path: Path) -> Path:
    schemas = tmp_path / "schemas"
    (schemas / "community/fantasy-portrait").mkdir(parents=True)
    shutil.copy(PORTRAIT, schemas / "community/fantasy-portrait/image-to-video.json")
    (schemas / "acme/model").mkdir(parents=True)
    return schemas


@pytest.mark.parametrize("command", ["generate", "lint"])
def test_a_model_file_linked_out_of_the_folder_is_refused(
    tmp_path: Path, outside: Path, command: str
) -> None:
    schemas = _schemas(tmp_path)
    link = schemas / "acme/model/image.json"
    link.symlink_to(outside)
    out = tmp_path / "out"
    args = (
        ["--schemas", str(schemas), "--out", str(out)] if command == "generate" else [str(schemas)]
    )
    code, stdout, stderr = run(command, *args)
    assert code == 2 and stdout == "" and stderr.count("\n") == 1, stderr
    assert stderr.startswith(f"error: {link}: ") and "symlink" in stderr, stderr
    assert SECRET not in stderr and not out.exists()


def test_a_names_file_linked_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    schemas = _schemas(tmp_path)
    private = tmp_path / "elsewhere.names.json"
    private.write_text(json.dumps({"143_image": "photo"}), encoding="utf-8")
    link = schemas / "community/fantasy-portrait/image-to-video.names.json"
    link.symlink_to(private)
    out = tmp_path / "out"
    code, _, stderr = run("generate", "--schemas", str(schemas), "--out", str(out))
    assert code == 2 and stderr.startswith(f"error: {link}: ") and "symlink" in stderr, stderr
    assert not out.exists()


def test_a_link_inside_the_folder_is_followed(tmp_path: Path) -> None:
    """Moving a model and leaving a link behind, inside the folder, stays fine."""
    schemas = _schemas(tmp_path)
    (schemas / "acme/model").rmdir()
    (schemas / "community/alias.json").symlink_to("fantasy-portrait/image-to-video.json")
    code, _, stderr = run("lint", str(schemas / "community"))
    assert code in (0, 1), stderr


def test_a_folder_linked_out_of_the_schemas_folder_is_never_read(
    tmp_path: Path, outside: Path
) -> None:
    """Not entered by the folder walk, or refused: never read."""
    schemas = _schemas(tmp_path)
    (schemas / "acme/model").rmdir()
    (outside.parent / "model").mkdir()
    outside.rename(outside.parent / "model" / "image.json")
    (schemas / "acme/model").symlink_to(outside.parent / "model", target_is_directory=True)
    _, stdout, stderr = run("lint", "--format", "json", str(schemas))
    assert SECRET not in stdout + stderr and "acme/model" not in stdout


def test_lint_of_a_folder_refuses_a_page_linked_out_of_it(tmp_path: Path) -> None:
    secret_page = tmp_path / "elsewhere" / "notes.txt"
    secret_page.parent.mkdir()
    secret_page.write_text(f"curl --url https://x/v1/models/a/b/c {SECRET}", encoding="utf-8")
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page.txt").symlink_to(secret_page)
    code, stdout, stderr = run("lint", str(folder))
    assert code == 2 and stdout == "" and stderr.count("\n") == 1
    assert "symlink" in stderr and SECRET not in stderr
