"""Writing the built tree: atomic, owned files only (manifest), mode and symlink kept, no debris."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.output import tree
from generator.output.tree import MANIFEST, diff_tree, write_tree
from tests.support.paths import ROOT


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_creates_removes_stale_and_refuses_foreign_files(tmp_path: Path) -> None:
    root = tmp_path / "generated"
    write_tree(root, {"schemas/a/b/input.schema.json": "{}\n", "python/pyproject.toml": "x\n"})
    assert (root / MANIFEST).is_file()
    diff = write_tree(
        root, {"schemas/c/d/input.schema.json": "{}\n", "python/pyproject.toml": "y\n"}
    )
    assert diff.added == ("schemas/c/d/input.schema.json",)
    assert diff.changed == ("python/pyproject.toml",)
    assert diff.removed == ("schemas/a/b/input.schema.json",)
    assert not (root / "schemas" / "a").exists()
    assert _names(tmp_path) == ["generated"]  # no staging left behind

    (root / "notes.md").write_text("mine\n")
    with pytest.raises(InputError, match=r"did not write \(notes.md\).*--force"):
        write_tree(root, {"python/pyproject.toml": "z\n"})
    assert (root / "python/pyproject.toml").read_text() == "y\n"  # untouched
    write_tree(root, {"python/pyproject.toml": "z\n"}, force=True)
    assert (root / "notes.md").read_text() == "mine\n"  # kept, not owned
    assert (root / "python/pyproject.toml").read_text() == "z\n"
    write_tree(root, {"python/pyproject.toml": "w\n"})  # kept once with --force: accepted
    assert (root / "notes.md").read_text() == "mine\n"
    (root / "other.md").write_text("mine too\n")
    with pytest.raises(InputError, match=r"\(other\.md\)"):
        write_tree(root, {"python/pyproject.toml": "v\n"})


def test_folder_without_manifest_is_owned_only_when_it_holds_generated_files(
    tmp_path: Path,
) -> None:
    legacy = tmp_path / "legacy"
    (legacy / "docs").mkdir(parents=True)
    (legacy / "docs/old.md").write_text("old\n")
    write_tree(legacy, {"docs/index.md": "new\n"})  # written before manifests: adopted
    assert _names(legacy / "docs") == ["index.md"]

    project = tmp_path / "project"
    (project / "schemas").mkdir(parents=True)
    (project / "schemas/model.json").write_text("{}\n")
    (project / "design.md").write_text("hand-written\n")
    with pytest.raises(InputError, match=r"design\.md"):
        write_tree(project, {"docs/index.md": "x\n"})
    assert (project / "design.md").read_text() == "hand-written\n"


def test_unsafe_paths_are_refused(tmp_path: Path) -> None:
    for bad in ("../x", "/etc/x", "a/../../x", "a//b", MANIFEST):
        with pytest.raises(InputError, match="not a safe path"):
            write_tree(tmp_path / "out", {bad: "x"})
    assert not (tmp_path / "out").exists()


def test_mode_of_the_folder_is_kept(tmp_path: Path) -> None:
    root = tmp_path / "generated"
    write_tree(root, {"docs/a.md": "1\n"})
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(root.stat().st_mode) == 0o777 & ~umask  # not mkdtemp's 0700
    root.chmod(0o750)
    write_tree(root, {"docs/a.md": "2\n"})
    assert stat.S_IMODE(root.stat().st_mode) == 0o750


def test_symlinked_output_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real"
    write_tree(real, {"docs/a.md": "1\n"})
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    write_tree(link, {"docs/a.md": "2\n"})
    assert link.is_symlink()
    assert (real / "docs/a.md").read_text() == "2\n"
    assert _names(tmp_path) == ["link", "real"]


def test_diff_is_unified_and_clean_when_equal(tmp_path: Path) -> None:
    root = tmp_path / "out"
    files = {"docs/index.md": "one\ntwo\n"}
    write_tree(root, files)
    assert diff_tree(root, files).clean
    diff = diff_tree(root, {"docs/index.md": "one\nthree\n"})
    assert "--- a/docs/index.md\n+++ b/docs/index.md\n" in diff.text
    assert "-two\n+three\n" in diff.text


def test_failed_swap_or_verify_leaves_old_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "generated"
    write_tree(root, {"schemas/x/input.schema.json": "old\n"})

    def refuse(staged: Path, diff: tree.TreeDiff) -> None:
        assert (staged / "schemas/x/input.schema.json").read_text() == "new\n"
        raise InputError("schemas/x.json", "does not import")

    with pytest.raises(InputError):
        write_tree(root, {"schemas/x/input.schema.json": "new\n"}, verify=refuse)
    assert (root / "schemas/x/input.schema.json").read_text() == "old\n"

    def broken(staging: Path, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(tree, "_swap", broken)
    with pytest.raises(OSError):
        write_tree(root, {"schemas/x/input.schema.json": "new\n"})
    assert (root / "schemas/x/input.schema.json").read_text() == "old\n"
    assert _names(tmp_path) == ["generated"]


def test_text_is_written_with_lf_bytes(tmp_path: Path) -> None:
    write_tree(tmp_path / "g", {"docs/a.md": "é\n"})
    assert (tmp_path / "g/docs/a.md").read_bytes() == "é\n".encode()


# A run that SIGKILLs itself at a chosen point of the swap: deterministic, no timing involved.
_KILLED_RUN = """
import os, signal, sys
from pathlib import Path
from generator.output import tree

point = sys.argv[2]
real_exchange, real_replace = tree._exchange, os.replace

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def exchange(a, b):
    if point == "before-exchange":
        die()
    if point == "fallback":
        return False
    done = real_exchange(a, b)
    die()

replaced = []
def replace(src, dst):
    real_replace(src, dst)
    replaced.append(dst)
    if point == "fallback" and len(replaced) == 1:
        die()  # the old tree is aside, the new one not yet in place

tree._exchange = exchange
tree.os.replace = replace
tree.write_tree(Path(sys.argv[1]), {"docs/a.md": "new\\n"})
"""


@pytest.mark.parametrize(
    ("point", "left"),
    [("before-exchange", "old\n"), ("after-exchange", "new\n"), ("fallback", None)],
)
def test_killed_swap_leaves_old_or_new_tree_and_next_run_cleans_up(
    tmp_path: Path, point: str, left: str | None
) -> None:
    if point == "after-exchange" and not sys.platform.startswith("linux"):
        pytest.skip("renameat2 exchange is Linux-only")
    root = tmp_path / "generated"
    write_tree(root, {"docs/a.md": "old\n"})
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLED_RUN), str(root), point],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr
    if left is not None:
        assert (root / "docs/a.md").read_text() == left  # old or new, whole
    assert len(_names(tmp_path)) == 2  # its debris (staging or the old tree) is beside it
    write_tree(root, {"docs/a.md": "next\n"})
    assert (root / "docs/a.md").read_text() == "next\n"
    assert _names(tmp_path) == ["generated"]


def test_debris_not_made_by_generate_is_left_alone(tmp_path: Path) -> None:
    root = tmp_path / "generated"
    lookalike = tmp_path / ".generated.new-mine"
    lookalike.mkdir()
    (lookalike / "keep.txt").write_text("mine\n")
    write_tree(root, {"docs/a.md": "1\n"})
    assert (lookalike / "keep.txt").read_text() == "mine\n"
