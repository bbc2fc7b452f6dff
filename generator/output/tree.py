"""Write a built tree atomically, or compare it with what is on disk.

``generate`` owns only the files it wrote: their list is kept in :data:`MANIFEST` inside the
output folder. A folder holding anything else (hand-written docs, a project's sources) is
refused unless ``force`` is given, which keeps those files as they are and records them as kept (a
``.gitattributes``, say), so later runs accept them. A folder written
before manifests existed is owned when every file in it is one ``generate`` writes or lies
under :data:`MANAGED_DIRS`.

The new tree is written into a sibling ``.<name>.new-*`` folder, checked, and exchanged with
the old one in one ``renameat2(RENAME_EXCHANGE)`` on Linux, so a run killed at any moment
leaves the old or the new tree; elsewhere two renames are used and a run killed between them
is repaired by the next run. Leftover ``.<name>.new-*`` / ``.<name>.old-*`` folders holding a
manifest are this tool's debris and are removed by the next write. A symlinked output folder
is written through (the link stays), and the folder keeps its permission bits.
"""

from __future__ import annotations

import ctypes
import difflib
import errno
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import InputError

__all__ = ["MANAGED_DIRS", "MANIFEST", "TreeDiff", "diff_tree", "write_tree"]

#: Folders (relative to the output root) whose every file ``generate`` owned before manifests.
#: History, not configuration: the package was always ``runcomfy_models`` then (its name became
#: configurable later). A tree with a manifest owns exactly what the manifest lists, so after a
#: rename the old package's files are removed and anything else in its folder is foreign.
MANAGED_DIRS = ("schemas", "python/runcomfy_models", "docs")
#: The list of files ``generate`` wrote, inside the output folder.
MANIFEST = ".runcomfy-codegen-manifest.json"
_TOOL = "runcomfy-codegen"
#: Caches that tools (Python, mypy, ruff, pytest) leave in a package: neither owned nor foreign.
IGNORED_DIRS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


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


def check_relative(path: str) -> str:
    """The one check that a path to write stays inside the output folder."""
    pure = PurePosixPath(path)
    if (
        not path
        or pure.is_absolute()
        or "\\" in path
        or any(part in ("", ".", "..") for part in path.split("/"))
        or pure.name == MANIFEST
    ):
        raise InputError(path, "not a safe path inside the output folder")
    return path


def _files_on_disk(root: Path) -> Iterator[str]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if (path.is_file() or path.is_symlink()) and not IGNORED_DIRS.intersection(path.parts):
            relative = path.relative_to(root).as_posix()
            if relative != MANIFEST:
                yield relative


def _read_manifest(root: Path) -> tuple[set[str], set[str]] | None:
    """``(files generate wrote, other files the user chose to keep with --force)``."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != _TOOL:
        return None
    lists = [data.get("files"), data.get("kept", [])]
    if not all(isinstance(x, list) and all(isinstance(f, str) for f in x) for x in lists):
        return None
    return set(lists[0]), set(lists[1])


def _manifest_text(files: Mapping[str, str], kept: set[str]) -> str:
    data = {"tool": _TOOL, "files": sorted(files), "kept": sorted(kept)}
    return json.dumps(data, indent=2) + "\n"


def _ownership(
    root: Path, on_disk: set[str], files: Mapping[str, str]
) -> tuple[set[str], set[str]]:
    """``(owned, kept)`` among the files on disk."""
    manifest = _read_manifest(root)
    if manifest is not None:
        return manifest[0] & on_disk, manifest[1] & on_disk
    # Written before manifests: generate's folders and the files it writes.
    owned = {p for p in on_disk if p in files or any(p.startswith(d + "/") for d in MANAGED_DIRS)}
    return owned, set()


def foreign_files(root: Path, files: Mapping[str, str]) -> list[str]:
    """Files in ``root`` that ``generate`` did not write and nobody said to keep."""
    on_disk = set(_files_on_disk(root))
    owned, kept = _ownership(root, on_disk, files)
    return sorted(on_disk - owned - kept)


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def diff_tree(root: Path, files: Mapping[str, str]) -> TreeDiff:
    """What writing ``files`` under ``root`` would change (files it does not own stay)."""
    for path in files:
        check_relative(path)
    on_disk = set(_files_on_disk(root))
    removed = sorted(_ownership(root, on_disk, files)[0] - set(files))
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


def _is_debris(path: Path) -> bool:
    """A staging or retired folder of an earlier run: it holds a manifest or nothing."""
    return (
        path.is_dir()
        and not path.is_symlink()
        and ((path / MANIFEST).is_file() or not any(path.iterdir()))
    )


def _recover_and_clean(real: Path) -> None:
    """Put back a tree a killed fallback swap left aside, then remove earlier debris."""
    retired = sorted(p for p in real.parent.glob(f".{real.name}.old-*") if _is_debris(p))
    if not real.exists() and retired:
        os.replace(retired.pop(), real)
    for path in [*retired, *real.parent.glob(f".{real.name}.new-*")]:
        if _is_debris(path):
            shutil.rmtree(path, ignore_errors=True)


def _folder_mode(real: Path) -> int:
    if real.is_dir():
        return stat.S_IMODE(real.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def write_tree(
    root: Path,
    files: Mapping[str, str],
    *,
    force: bool = False,
    verify: Callable[[Path, TreeDiff], None] | None = None,
) -> TreeDiff:
    """Make ``root`` hold ``files`` (plus, with ``force``, files it did not write), at once.

    ``verify(staged_root, diff)`` runs on the complete new tree before it replaces the old one;
    an error there leaves ``root`` untouched.
    """
    if root.exists() and not root.is_dir():
        raise InputError(str(root), "the output folder is a file")
    real = root.resolve() if root.is_symlink() else root.absolute()
    real.parent.mkdir(parents=True, exist_ok=True)
    _recover_and_clean(real)
    diff = diff_tree(real, files)
    on_disk = set(_files_on_disk(real))
    owned, kept = _ownership(real, on_disk, files)
    foreign = sorted(on_disk - owned - kept)
    kept = (kept | set(foreign)) - set(files)
    manifest = _manifest_text(files, kept)
    if diff.clean and not foreign and _read(real / MANIFEST) == manifest:
        return diff
    if foreign and not force:
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise InputError(
            str(root),
            f"holds files generate did not write ({shown}); choose an empty or generated "
            "folder, or pass --force to keep them and write beside them",
        )
    staging = Path(tempfile.mkdtemp(prefix=f".{real.name}.new-", dir=real.parent))
    try:
        (staging / MANIFEST).write_text(manifest, encoding="utf-8")
        for path in sorted(kept):
            if path not in files:
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(real / path, target, follow_symlinks=False)
        for path, text in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            # newline="" keeps "\n": the output is byte-identical on every platform.
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        os.chmod(staging, _folder_mode(real))
        if verify is not None:
            verify(staging, diff)
        _swap(staging, real)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return diff


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2``); False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # old kernel or a filesystem without exchange
    raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, real: Path) -> None:
    """Make ``staging`` the tree at ``real``; the old tree ends in ``staging`` (then removed)."""
    if not real.exists():
        os.replace(staging, real)
        return
    if _exchange(staging, real):
        shutil.rmtree(staging, ignore_errors=True)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{real.name}.old-", dir=real.parent))
    retired.rmdir()
    os.replace(real, retired)
    try:
        os.replace(staging, real)
    except OSError:
        os.replace(retired, real)  # put the old tree back
        raise
    shutil.rmtree(retired, ignore_errors=True)
