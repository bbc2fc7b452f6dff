"""A content-addressed cache of rendered files, so an unchanged model is never rendered twice.

A key is the SHA-256 of everything that shapes the files it stands for (see
:func:`fingerprint` and :func:`model_key`); an entry holds those files. An entry is used only
when it parses, names its own key and its files match the digest stored with them: anything
else (a truncated write, a hand edit, another format version) is a miss, and the files are
rendered again. Output is therefore byte-identical with the cache on or off.

Entries live in ``.runcomfy-codegen-cache/`` beside the output folder (like ``.mypy_cache``
beside a project, and like it with a ``*`` .gitignore inside); entries unused for
:data:`MAX_IDLE_DAYS` are pruned after each write.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.config import PackageNames

__all__ = [
    "CACHE_DIR_NAME",
    "GITIGNORE",
    "MAX_IDLE_DAYS",
    "Entry",
    "RenderCache",
    "default_cache_dir",
    "fingerprint",
    "model_key",
]

CACHE_DIR_NAME = ".runcomfy-codegen-cache"
MAX_IDLE_DAYS = 14
#: Bumped when the entry layout changes; older entries are then misses.
_FORMAT = 2
#: Distributions whose version can change a rendered byte.
_SHAPING_DISTRIBUTIONS = (
    "runcomfy-codegen",
    "datamodel-code-generator",
    "black",
    "pydantic",
    "jinja2",
    "jsonschema",
)


def default_cache_dir(out_dir: Path) -> Path:
    return out_dir.absolute().parent / CACHE_DIR_NAME


def _files_under(root: Path, suffixes: tuple[str, ...]) -> Iterable[tuple[str, Path]]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in suffixes and "__pycache__" not in path.parts:
            yield path.relative_to(root).as_posix(), path


def fingerprint(
    generator_dir: Path, template_dirs: Iterable[Path], package_names: PackageNames
) -> str:
    """Everything shared by all models that shapes the output.

    The generator's own source (every module and vocabulary file, so any code change is a new
    key, not only a version bump), every template folder in lookup order, the versions of the
    distributions that shape output, the Python version (``ast.unparse`` differs by minor), and
    the package's names (a model's files sit under ``python/<import name>/`` and name it).
    """
    digest = hashlib.sha256(f"format {_FORMAT}\npython {sys.version}\n".encode())
    # Checked names hold no newline or space, so this line cannot be forged by another pair.
    names = f"package {package_names.import_name} {package_names.distribution_name}\n"
    digest.update(names.encode())
    for name in _SHAPING_DISTRIBUTIONS:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    roots: list[tuple[str, Path, tuple[str, ...]]] = [
        ("generator", generator_dir, (".py", ".json"))
    ]
    roots += [(f"templates{i}", d, (".jinja",)) for i, d in enumerate(template_dirs)]
    for label, root, suffixes in roots:
        for relative, path in _files_under(root, suffixes):
            digest.update(f"{label}/{relative}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def model_key(shared: str, relative_path: str, model: bytes, names: bytes | None) -> str:
    """The key of one model's files: the shared fingerprint plus the model's own inputs."""
    digest = hashlib.sha256(shared.encode())
    for part in (relative_path.encode(), model, b"-" if names is None else b"+" + names):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Entry:
    #: The model id (or ``index``) the files belong to.
    label: str
    files: dict[str, str]
    #: Extra data stored with the files (a model's IR as JSON), checked by the same digest.
    data: str


def _digest(label: str, files: Mapping[str, str], data: str) -> str:
    text = json.dumps([label, files, data], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


#: ``<first 2 hex digits>/<SHA-256 key>.json``: the only files :meth:`RenderCache.prune` deletes.
_ENTRY_NAME = re.compile(r"([0-9a-f]{2})/\1[0-9a-f]{62}\.json")
#: Written into the cache folder so git never sees it.
GITIGNORE = "# Written by runcomfy-codegen: its render cache is never committed.\n*\n"


class RenderCache:
    """Read and write entries under ``root``; ``root=None`` is a cache that always misses."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Entry | None:
        """The entry stored under ``key``, or None when missing or not trustworthy."""
        if self.root is None:
            return None
        try:
            entry = json.loads(self._path(key).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("format") != _FORMAT or entry.get("key") != key:
            return None
        label, files, data = entry.get("label"), entry.get("files"), entry.get("data")
        if not (isinstance(label, str) and isinstance(files, dict) and isinstance(data, str)):
            return None
        if not all(isinstance(p, str) and isinstance(t, str) for p, t in files.items()):
            return None
        if entry.get("digest") != _digest(label, files, data):
            return None
        return Entry(label, files, data)

    def put(self, key: str, label: str, files: Mapping[str, str], data: str = "") -> None:
        """Store an entry atomically; a cache that cannot be written is only slower."""
        if self.root is None:
            return
        entry = {
            "format": _FORMAT,
            "key": key,
            "label": label,
            "digest": _digest(label, files, data),
            "files": dict(files),
            "data": data,
        }
        path = self._path(key)
        try:
            self._ignore_in_git()
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entry, stream, ensure_ascii=False)
            os.replace(temp, path)
        except OSError:
            return

    def _ignore_in_git(self) -> None:
        """A ``*`` .gitignore inside, as .mypy_cache, .ruff_cache and .pytest_cache have: the
        folder sits beside the committed output, where ``git add -A`` would commit it. Only in
        a folder made here: a ``--cache-dir`` naming an existing folder (the project's own)
        must not start ignoring everything in it."""
        assert self.root is not None
        if not self.root.exists():
            self.root.mkdir(parents=True)
            (self.root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")

    def touch(self, keys: Iterable[str]) -> None:
        """Mark entries as used now (pruning keeps recently used entries)."""
        if self.root is None:
            return
        for key in keys:
            with contextlib.suppress(OSError):
                os.utime(self._path(key))

    def prune(self, max_idle_days: int = MAX_IDLE_DAYS) -> None:
        if self.root is None or not self.root.is_dir():
            return
        limit = time.time() - max_idle_days * 86400
        for path in self.root.glob("*/*.json"):
            if not _ENTRY_NAME.fullmatch(f"{path.parent.name}/{path.name}"):
                continue  # not an entry: never delete a file this cache did not write
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                pass
