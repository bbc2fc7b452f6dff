"""Read one side of ``diff``: a model file, a saved page, or ``git:REV:path``."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from generator.errors import InputError
from generator.pages.sources import read_source
from generator.schema.documented import NAMES_SUFFIX, DocumentedModel
from generator.schema.ir import ModelSpec
from generator.schema.normalize import normalize

__all__ = ["GIT_PREFIX", "load_documented", "load_spec"]

GIT_PREFIX = "git:"


def _git_show(label: str, rev: str, path: str) -> bytes | None:
    try:
        done = subprocess.run(
            ["git", "show", f"{rev}:{path}"], capture_output=True, check=False, timeout=60
        )
    except OSError as exc:
        raise InputError(label, f"cannot run git: {exc}") from None
    return done.stdout if done.returncode == 0 else None


def _from_git(spec: str) -> DocumentedModel:
    rev, sep, path = spec.removeprefix(GIT_PREFIX).partition(":")
    if not rev or not sep or not path:
        raise InputError(spec, "expected git:REV:path, e.g. git:HEAD~1:schemas/a/b/c.json")
    content = _git_show(spec, rev, path)
    if content is None:
        raise InputError(spec, f"git has no {path} at {rev}")
    name = PurePosixPath(path).name
    names = _git_show(spec, rev, path.removesuffix(".json") + NAMES_SUFFIX)
    with tempfile.TemporaryDirectory(prefix="runcomfy-diff-") as tmp:
        copy = Path(tmp) / name
        copy.write_bytes(content)
        if names is not None:
            copy.with_name(name.removesuffix(".json") + NAMES_SUFFIX).write_bytes(names)
        try:
            model = read_source(copy).model
        except InputError as exc:
            # Name what the user named, not the temporary copy.
            raise InputError(spec, exc.message, exc.pointer) from None
    return replace(model, file=spec)


def load_documented(spec: str) -> DocumentedModel:
    if spec.startswith(GIT_PREFIX):
        return _from_git(spec)
    path = Path(spec)
    if not path.is_file():
        raise InputError(spec, "no such file")
    return read_source(path).model


def load_spec(spec: str) -> ModelSpec:
    """The normalized model behind a diff argument; InputError (exit 2) when it has none."""
    return normalize(load_documented(spec))
