"""Write a built tree atomically, or compare it with what is on disk.

The output root holds some files that ``generate`` does not own (a package ``CHANGELOG.md``
that release tooling appends to, say). ``generate`` owns everything under
:data:`MANAGED_DIRS` plus the files it builds: a managed file it no longer builds (a model
that disappeared) is stale and removed; other files are kept as they are.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MANAGED_DIRS", "TreeDiff", "diff_tree", "write_tree"]

#: Folders (relative to the output root) whose every file ``generate`` owns.
MANAGED_DIRS = ("schemas", "python/runcomfy_models", "docs")


@dataclass(frozen=True)
class TreeDiff:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    #: A unified diff of every change (``a/<path>`` is on disk, ``b/<path>`` is built).
    text: str

    @property
    def clean(self) -> bool:
        return not (self.added or self.changed or self.removed)


def _files_on_disk(root: Path) -> Iterator[str]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path.relative_to(root).as_posix()


def _managed(path: str) -> bool:
    return any(path.startswith(folder + "/") for folder in MANAGED_DIRS)


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None


def diff_tree(root: Path, files: Mapping[str, str]) -> TreeDiff:
    """What writing ``files`` under ``root`` would change."""
    on_disk = set(_files_on_disk(root))
    removed = sorted(p for p in on_disk - set(files) if _managed(p))
    added: list[str] = []
    changed: list[str] = []
    chunks: list[str] = []
    for path in sorted(files):
        old = _read(root / path) if path in on_disk else None
        if path in on_disk and old == files[path]:
            continue
        (changed if path in on_disk else added).append(path)
        chunks.append(_unified(path, old or "", files[path], path in on_disk))
    for path in removed:
        chunks.append(_unified(path, _read(root / path) or "", "", True, deleted=True))
    return TreeDiff(tuple(added), tuple(changed), tuple(removed), "".join(chunks))


def _unified(path: str, old: str, new: str, existed: bool, deleted: bool = False) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{path}" if existed else "/dev/null",
        tofile="/dev/null" if deleted else f"b/{path}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def write_tree(root: Path, files: Mapping[str, str]) -> TreeDiff:
    """Make ``root`` hold ``files`` (plus its unmanaged files), all at once.

    The new tree is written into a sibling temporary folder and swapped in with two renames,
    so a failure while writing leaves ``root`` as it was.
    """
    diff = diff_tree(root, files)
    if diff.clean:
        return diff
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        for path in _files_on_disk(root):
            if path not in files and not _managed(path):
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / path, target)
        for path, text in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            # newline="" keeps "\n": the output is byte-identical on every platform.
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        _swap(staging, root)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return diff


def _swap(staging: Path, root: Path) -> None:
    if not root.exists():
        os.replace(staging, root)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
    retired.rmdir()
    os.replace(root, retired)
    try:
        os.replace(staging, root)
    except OSError:
        os.replace(retired, root)  # put the old tree back
        raise
    shutil.rmtree(retired)
