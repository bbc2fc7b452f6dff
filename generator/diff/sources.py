"""Read one side of ``diff``: a model file, a saved page, or ``git:REV:path``."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from generator.errors import InputError
from generator.limits import MAX_MODEL_FILE_BYTES
from generator.pages.sources import read_source
from generator.schema.documented import NAMES_SUFFIX, DocumentedModel
from generator.schema.ir import ModelSpec
from generator.schema.normalize import normalize

__all__ = ["GIT_PREFIX", "load_documented", "load_spec", "parse_git_spec"]

GIT_PREFIX = "git:"


#: A revision: what ``git rev-parse`` accepts for a branch, tag, ``HEAD~2`` or a commit id; never
#: an option (no leading ``-``), no spaces or control characters.
_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./@{}~^+-]{0,199}")
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_MAX_PATH_CHARS = 1000


def _git(label: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run git in the current folder (``-C .``), never through a shell."""
    try:
        return subprocess.run(
            ["git", "-C", ".", *args], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(label, f"cannot run git: {exc}") from None


def parse_git_spec(spec: str) -> tuple[str, str]:
    """``git:REV:path`` -> ``(REV, path)``, both checked: the one place a revision or a path
    from the command line is validated before it reaches git."""
    rev, sep, path = spec.removeprefix(GIT_PREFIX).partition(":")
    if not rev or not sep or not path:
        raise InputError(spec, "expected git:REV:path, e.g. git:HEAD~1:schemas/a/b/c.json")
    if not _REVISION.fullmatch(rev) or ".." in rev:
        raise InputError(
            spec,
            f"{rev!r} is not a revision (a branch, tag, commit or HEAD~N; "
            "it may not start with '-' or hold spaces)",
        )
    parts = PurePosixPath(path).parts
    if (
        len(path) > _MAX_PATH_CHARS
        or path.startswith(("/", "-"))
        or any(part == ".." for part in parts)
        or not path.isprintable()
        or "\\" in path
        or PurePosixPath(path).name in ("", ".")
    ):
        raise InputError(spec, f"{path!r} is not a relative path inside the repository")
    return rev, path


def _commit(spec: str, rev: str) -> str:
    done = _git(spec, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    commit = done.stdout.decode("ascii", "replace").strip()
    if done.returncode != 0 or not _COMMIT.fullmatch(commit):
        raise InputError(spec, f"git knows no commit {rev!r}")
    return commit


def _git_show(spec: str, commit: str, path: str) -> bytes | None:
    """The blob at ``commit:path``, or None; refused past the model file size limit."""
    size = _git(spec, "cat-file", "-s", f"{commit}:{path}")
    if size.returncode != 0:
        return None
    if int(size.stdout.strip() or 0) > MAX_MODEL_FILE_BYTES:
        raise InputError(spec, f"larger than {MAX_MODEL_FILE_BYTES:,} bytes (the limit)")
    done = _git(spec, "cat-file", "blob", f"{commit}:{path}")
    return done.stdout if done.returncode == 0 else None


def _from_git(spec: str) -> DocumentedModel:
    rev, path = parse_git_spec(spec)
    commit = _commit(spec, rev)
    content = _git_show(spec, commit, path)
    if content is None:
        raise InputError(spec, f"git has no {path} at {rev}")
    name = PurePosixPath(path).name
    names = _git_show(spec, commit, path.removesuffix(".json") + NAMES_SUFFIX)
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
