"""File-system helpers shared by the commands that write user files."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["apply_batch", "write_atomically"]


def write_atomically(path: Path, content: str) -> None:
    """Replace ``path`` in one step, so a failure never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _temporary(path: Path, suffix: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    return Path(name)


def apply_batch(
    writes: Mapping[Path, str], deletes: Iterable[Path] = (), *, root: Path | None = None
) -> None:
    """Replace each ``writes`` target with its text (UTF-8, ``\\n``) and delete ``deletes``, all
    or nothing; folders under ``root`` that the deletions leave empty are removed too.

    Every new content is first written to a temporary file beside its target and every file to
    delete is first moved aside; only when all of that worked are the temporary files renamed
    over their targets and the moved-aside files removed. If a step fails, what was already
    replaced is put back, so the folder ends as it was (a crash of the machine mid-way can still
    leave a ``.<name>.*.tmp`` file beside a target, never half a file).
    """
    deletes = list(deletes)
    staged: list[tuple[Path, Path]] = []  # (temporary file, target)
    moved: list[tuple[Path, Path]] = []  # (target, where its old content waits)
    created_dirs: list[Path] = []
    try:
        for target, text in writes.items():
            missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
            created_dirs.extend(reversed(missing))
            temporary = _temporary(target, ".tmp")
            staged.append((temporary, target))
            temporary.write_text(text, encoding="utf-8", newline="\n")
        for target in list(writes) + list(deletes):
            if target.exists():
                aside = _temporary(target, ".old")
                try:
                    os.replace(target, aside)
                except BaseException:
                    # The target cannot be moved (a folder where a file goes): the empty
                    # placeholder is not left behind.
                    aside.unlink()
                    raise
                moved.append((target, aside))
        for temporary, target in staged:
            os.replace(temporary, target)
    except BaseException:
        for temporary, target in staged:
            if temporary.exists():
                temporary.unlink()
            elif target.exists() and not any(t == target for t, _ in moved):
                target.unlink()  # it was new
        for target, aside in moved:
            os.replace(aside, target)
        for folder in reversed(created_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    for _, aside in moved:
        aside.unlink()
    if root is not None:
        for target in deletes:
            _remove_empty_parents(target.parent, root)


def _remove_empty_parents(folder: Path, root: Path) -> None:
    """Remove folders below ``root`` that a deletion left empty (never a non-empty one)."""
    stop = root.resolve()
    while folder.resolve() != stop and folder.resolve().is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
