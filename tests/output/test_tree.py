"""Writing the built tree: atomic, stale managed files removed, other files kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.output import tree
from generator.output.tree import diff_tree, write_tree


def test_write_creates_removes_stale_and_keeps_unmanaged(tmp_path: Path) -> None:
    root = tmp_path / "generated"
    write_tree(root, {"schemas/a/b/input.schema.json": "{}\n", "python/pyproject.toml": "x\n"})
    (root / "python" / "CHANGELOG.md").write_text("kept\n")
    diff = write_tree(
        root, {"schemas/c/d/input.schema.json": "{}\n", "python/pyproject.toml": "y\n"}
    )
    assert diff.added == ("schemas/c/d/input.schema.json",)
    assert diff.changed == ("python/pyproject.toml",)
    assert diff.removed == ("schemas/a/b/input.schema.json",)
    assert not (root / "schemas" / "a").exists()
    assert (root / "python" / "CHANGELOG.md").read_text() == "kept\n"
    assert (root / "python" / "pyproject.toml").read_bytes() == b"y\n"
    assert [p.name for p in tmp_path.iterdir()] == ["generated"]  # no staging left behind


def test_diff_is_unified_and_clean_when_equal(tmp_path: Path) -> None:
    root = tmp_path / "out"
    files = {"docs/index.md": "one\ntwo\n"}
    write_tree(root, files)
    assert diff_tree(root, files).clean
    diff = diff_tree(root, {"docs/index.md": "one\nthree\n"})
    assert "--- a/docs/index.md\n+++ b/docs/index.md\n" in diff.text
    assert "-two\n+three\n" in diff.text


def test_failed_swap_leaves_old_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "generated"
    write_tree(root, {"schemas/x/input.schema.json": "old\n"})

    def broken(staging: Path, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(tree, "_swap", broken)
    with pytest.raises(OSError):
        write_tree(root, {"schemas/x/input.schema.json": "new\n"})
    assert (root / "schemas/x/input.schema.json").read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["generated"]


def test_text_is_written_with_lf_bytes(tmp_path: Path) -> None:
    write_tree(tmp_path / "g", {"docs/a.md": "é\n"})
    assert (tmp_path / "g/docs/a.md").read_bytes() == "é\n".encode()
