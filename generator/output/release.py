"""The generated package's version and CHANGELOG: one release per change since the last release.

The last **released** state is what generated code users have: inside a git work tree, the
output folder as committed at ``HEAD`` (its ``schemas/``, ``python/pyproject.toml`` and
``python/CHANGELOG.md``); outside git (no git, or an ignored output folder), the
:data:`RELEASE_MANIFEST` that ``generate`` keeps in the output folder. It records the last state
marked released with ``generate --release`` (nothing yet: the first release is pending);
a folder written before manifests existed counts as released as it is on disk.
The models being generated are compared with it (``generator.diff``): no change keeps the
released version and CHANGELOG; otherwise the version is bumped once from the released one
(breaking: major, compatible: minor, noteworthy only: patch) with one CHANGELOG entry on top of
the released CHANGELOG. So an edit and its revert give no bump, and regenerating twice before a
commit (or a ``--release``) gives one entry.

Nothing depends on the clock: ``generate --check`` right after ``generate`` finds no drift.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import InputError, join_pointer

if TYPE_CHECKING:
    from generator.diff import Change
    from generator.schema.ir import ModelSpec

__all__ = [
    "CHANGELOG",
    "FIRST_VERSION",
    "PYPROJECT",
    "RELEASE_MANIFEST",
    "Release",
    "ReleasedState",
    "plan_release",
    "release_manifest",
    "released_state",
    "schema_paths",
]

CHANGELOG = "python/CHANGELOG.md"
#: The version a generated distribution starts at (nothing released yet).
FIRST_VERSION = "0.1.0"
PYPROJECT = "python/pyproject.toml"
#: Outside git, the last release of the output folder (written by ``generate``, moved on by
#: ``generate --release``). Inside git the commit at ``HEAD`` is the release and it is not written.
RELEASE_MANIFEST = "release.json"
_MANIFEST_FORMAT = 1
_MANIFEST_ABOUT = (
    "The last release of this folder, kept by runcomfy-codegen generate outside git: versions "
    "are bumped from it. `runcomfy-codegen generate --release` records the generated state as "
    "released."
)
_VERSION = re.compile(r"\d+\.\d+\.\d+")
_INTRO = (
    "Written by `runcomfy-codegen generate` from the schema changes of each release "
    "(breaking: major, compatible: minor, noteworthy only: patch).\n\n"
)
#: The header of a CHANGELOG of any distribution name, so a renamed distribution's released
#: CHANGELOG gets the new name on top instead of a second header.
_ANY_HEADER = re.compile(r"# Changelog of \S+\n\n" + re.escape(_INTRO))


def _header(distribution_name: str) -> str:
    return f"# Changelog of {distribution_name}\n\n{_INTRO}"


def _entries(changelog: str) -> str:
    """A CHANGELOG without its header: its releases, newest first."""
    header = _ANY_HEADER.match(changelog)
    return changelog[header.end() :] if header else changelog


@dataclass(frozen=True)
class Release:
    version: str
    changelog: str
    changes: dict[str, list[Change]]


def schema_paths(model_id: str) -> tuple[str, str]:
    """Where a model's normalized input and output schemas live under the output folder."""
    return f"schemas/{model_id}/input.schema.json", f"schemas/{model_id}/output.schema.json"


@dataclass
class ReleasedState:
    """The released output: ``{model_id: (input text, output text)}``, version and CHANGELOG."""

    where: str
    schemas: dict[str, tuple[str, str]] = field(default_factory=dict)
    version: str | None = None
    changelog: str | None = None
    #: Outside git: the output folder keeps this state in :data:`RELEASE_MANIFEST`.
    in_manifest: bool = False
    #: The manifest file the schema texts were read from (None: files under ``where``).
    manifest: str | None = None

    def source(self, model_id: str, part: str) -> tuple[str, str | None]:
        """``(file, JSON pointer)`` holding the released ``part`` (input/output) of a model."""
        if self.manifest is not None:
            return self.manifest, join_pointer("/schemas", model_id, part)
        path = schema_paths(model_id)[0 if part == "input" else 1]
        return f"{self.where}/{path}", None


def _git(
    top: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in ``top``; None when git is missing or does not answer."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        return subprocess.run(
            [git, "-C", str(top), *args], input=stdin, capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def _read_blobs(top: Path, paths: list[str]) -> dict[str, str]:
    """``{path: text}`` of the files at ``HEAD`` among ``paths``, with one ``git cat-file``."""
    request = "".join(f"HEAD:{path}\n" for path in paths).encode()
    done = _git(top, "cat-file", "--batch", stdin=request)
    if done is None or done.returncode != 0:
        return {}
    texts: dict[str, str] = {}
    data, at = done.stdout, 0
    for path in paths:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # "<object> missing": not committed
        size = int(header[2])
        texts[path] = data[at : at + size].decode("utf-8", "replace")
        at += size + 1
    return texts


def _git_location(out_dir: Path) -> tuple[Path, str] | None:
    """``(work tree top, out_dir relative to it)`` when ``out_dir`` is tracked-or-trackable."""
    anchor = out_dir.absolute()
    while not anchor.is_dir():
        if anchor.parent == anchor:
            return None
        anchor = anchor.parent
    done = _git(anchor, "rev-parse", "--show-toplevel")
    if done is None or done.returncode != 0:
        return None
    top = Path(done.stdout.decode("utf-8", "replace").strip())
    try:
        relative = out_dir.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return None
    # The trailing "/" says "a folder": a pattern such as `generated/` then matches the output
    # folder before its first run too (git cannot tell an absent path is a folder).
    ignored = _git(top, "check-ignore", "-q", "--", f"{relative}/" if relative else ".")
    if ignored is not None and ignored.returncode == 0:
        return None  # generated code that is never committed: the folder on disk is the release
    return top, relative


def _from_git(top: Path, relative: str) -> ReleasedState:
    prefix = f"{relative}/" if relative not in ("", ".") else ""
    state = ReleasedState(where=f"HEAD:{prefix}")
    listing = _git(top, "ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", f"{prefix}schemas")
    if listing is None or listing.returncode != 0:
        return state  # no commit yet: nothing was released
    wanted = [f"{prefix}{PYPROJECT}", f"{prefix}{CHANGELOG}"]
    for record in listing.stdout.split(b"\0"):
        if b"\t" in record:
            path = record.split(b"\t", 1)[1].decode("utf-8", "replace")
            if path.endswith(".schema.json") and "\n" not in path:
                wanted.append(path)
    texts = {path.removeprefix(prefix): text for path, text in _read_blobs(top, wanted).items()}
    _fill(state, texts)
    return state


def _from_disk(out_dir: Path) -> ReleasedState:
    """The folder as it is (written before manifests): only the regular files ``generate``
    writes are read, bounded; a FIFO would hang the read and a symlink would record a file
    outside the folder in the manifest."""
    from generator.limits import MAX_RELEASE_MANIFEST_BYTES, read_bounded

    state = ReleasedState(where=str(out_dir))
    texts: dict[str, str] = {}
    candidates = [out_dir / PYPROJECT, out_dir / CHANGELOG]
    candidates += sorted((out_dir / "schemas").rglob("*.schema.json"))
    for path in candidates:
        if path.is_symlink() or not path.is_file():
            continue
        try:
            data = read_bounded(path, MAX_RELEASE_MANIFEST_BYTES, "released file")
            texts[path.relative_to(out_dir).as_posix()] = data.decode("utf-8")
        except (InputError, UnicodeDecodeError):
            continue
    _fill(state, texts)
    return state


def _fill(state: ReleasedState, texts: Mapping[str, str]) -> None:
    state.changelog = texts.get(CHANGELOG)
    pyproject = texts.get(PYPROJECT)
    if pyproject is not None:
        try:
            version = tomllib.loads(pyproject)["project"]["version"]
        except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{state.where}/{PYPROJECT}", f"no readable version ({exc})") from None
        if not isinstance(version, str):
            raise InputError(f"{state.where}/{PYPROJECT}", "version is not a string")
        state.version = version
    from generator.schema.documented import check_model_id

    for path, text in texts.items():
        if path.endswith("/input.schema.json"):
            model_id = path.removeprefix("schemas/").removesuffix("/input.schema.json")
            try:
                check_model_id(model_id, path)
            except InputError:
                continue  # not a model generate writes (a manifest recording it is refused)
            output = texts.get(schema_paths(model_id)[1])
            if output is not None:
                state.schemas[model_id] = (text, output)


def _from_manifest(path: Path) -> ReleasedState:
    """The release recorded in ``path``; a manifest that is not what ``generate`` writes is an
    error (it decides versions: guessing could publish a breaking change as a patch)."""
    from generator.limits import MAX_RELEASE_MANIFEST_BYTES, read_bounded
    from generator.schema.documented import check_model_id

    file = str(path)
    raw = read_bounded(path, MAX_RELEASE_MANIFEST_BYTES, "release manifest")
    hint = "; delete it to count the folder as released as it is on disk"
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(file, f"unreadable release manifest ({exc}){hint}") from None

    def refuse(pointer: str, message: str) -> InputError:
        return InputError(file, message + hint, pointer)

    # type(): True and 1.0 equal 1 in Python, and are not what generate writes
    if (
        not isinstance(data, dict)
        or type(data.get("format")) is not int
        or (data["format"] != _MANIFEST_FORMAT)
    ):
        raise refuse("/format", f"not a release manifest of format {_MANIFEST_FORMAT}")
    state = ReleasedState(where=str(path.parent), in_manifest=True, manifest=file)
    version, changelog, schemas = data.get("version"), data.get("changelog"), data.get("schemas")
    if version is not None and not (isinstance(version, str) and _VERSION.fullmatch(version)):
        raise refuse("/version", "version is neither null nor MAJOR.MINOR.PATCH")
    if changelog is not None and not isinstance(changelog, str):
        raise refuse("/changelog", "changelog is neither null nor a string")
    if not isinstance(schemas, dict):
        raise refuse("/schemas", "schemas is not an object")
    for model_id, pair in schemas.items():
        pointer = join_pointer("/schemas", model_id)
        try:
            check_model_id(model_id, file)
        except InputError as exc:
            raise refuse(pointer, exc.message) from None
        if not (
            isinstance(pair, dict)
            and isinstance(pair.get("input"), str)
            and isinstance(pair.get("output"), str)
        ):
            raise refuse(pointer, "a released model needs its input and output schema texts")
        state.schemas[model_id] = (pair["input"], pair["output"])
    state.version, state.changelog = version, changelog
    return state


def release_manifest(state: ReleasedState) -> str:
    """The :data:`RELEASE_MANIFEST` text recording ``state`` as the last release."""
    data = {
        "about": _MANIFEST_ABOUT,
        "format": _MANIFEST_FORMAT,
        "version": state.version,
        "changelog": state.changelog,
        "schemas": {
            model_id: {"input": texts[0], "output": texts[1]}
            for model_id, texts in sorted(state.schemas.items())
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def released_state(out_dir: Path) -> ReleasedState:
    """The last release of ``out_dir``: git ``HEAD`` inside a work tree, else its manifest
    (or, for a folder written before manifests, the folder as it is)."""
    location = _git_location(out_dir)
    if location is not None:
        return _from_git(*location)
    manifest = out_dir / RELEASE_MANIFEST
    if manifest.is_symlink():
        raise InputError(str(manifest), "the release manifest is a symlink; generate writes a file")
    if manifest.exists():
        return _from_manifest(manifest)
    state = _from_disk(out_dir)
    state.in_manifest = True
    return state


def _first_release(version: str, model_ids: list[str], distribution_name: str) -> str:
    models = "".join(f"- `{model_id}`\n" for model_id in model_ids)
    return (
        f"{_header(distribution_name)}## {version}\n\nFirst release, with these models:\n\n{models}"
    )


def _previous_spec(
    model_id: str, texts: tuple[str, str], current: ModelSpec | None, released: ReleasedState
) -> ModelSpec:
    from generator.diff import spec_from_normalized
    from generator.schema.ir import NameOrigin

    overrides = (
        {f.wire_key: f.python_name for f in current.fields if f.name_origin is NameOrigin.OVERRIDE}
        if current is not None
        else None
    )
    parsed = []
    for part, text in zip(("input", "output"), texts, strict=True):
        try:
            parsed.append(json.loads(text))
        except (json.JSONDecodeError, RecursionError) as exc:
            where, pointer = released.source(model_id, part)
            raise InputError(where, f"unreadable released schema: {exc}", pointer) from None
    input_schema, output_schema = parsed
    file = released.source(model_id, "input")[0]
    return spec_from_normalized(model_id, input_schema, output_schema, names=overrides, file=file)


def _unchanged(
    released: ReleasedState, current: Mapping[str, tuple[str, str]], distribution_name: str
) -> Release:
    assert released.version is not None
    if released.changelog is None:
        return Release(
            released.version,
            _first_release(released.version, sorted(current), distribution_name),
            {},
        )
    kept = released.changelog
    if _ANY_HEADER.match(kept):  # retitled after a rename; an edited header is left alone
        kept = _header(distribution_name) + _entries(kept)
    return Release(released.version, kept, {})


def _digest(texts: tuple[str, str]) -> bytes:
    return hashlib.sha256("\0".join(texts).encode()).digest()


def plan_release(
    current: Mapping[str, tuple[str, str]],
    spec_of: Callable[[str], ModelSpec],
    released: ReleasedState,
    distribution_name: str,
) -> Release:
    """The version and CHANGELOG for generating ``current`` (normalized schema texts by id).

    ``spec_of`` normalizes a current model; it is called only for models that differ from
    the release, so an unchanged catalog is planned without normalizing anything. The
    CHANGELOG is titled with ``distribution_name`` (a renamed distribution keeps its entries).
    """
    if released.version is None:
        first = _first_release(FIRST_VERSION, sorted(current), distribution_name)
        return Release(FIRST_VERSION, first, {})
    differing = sorted(
        model_id
        for model_id in set(current) | set(released.schemas)
        if model_id not in current
        or model_id not in released.schemas
        or _digest(current[model_id]) != _digest(released.schemas[model_id])
    )
    if not differing:
        return _unchanged(released, current, distribution_name)
    from generator.diff import bump_version, changelog_entry, compare, required_bump

    changes: dict[str, list[Change]] = {}
    for model_id in differing:
        spec = spec_of(model_id) if model_id in current else None
        texts = released.schemas.get(model_id)
        previous = None if texts is None else _previous_spec(model_id, texts, spec, released)
        found = compare(previous, spec)
        if found:
            changes[model_id] = found
    bump = required_bump(c for found in changes.values() for c in found)
    if bump == "none":
        return _unchanged(released, current, distribution_name)
    version = bump_version(released.version, bump)
    older = _entries(released.changelog or "")
    entry = changelog_entry(version, changes).rstrip("\n") + "\n"
    header = _header(distribution_name)
    return Release(version, header + entry + ("\n" + older if older else ""), changes)
