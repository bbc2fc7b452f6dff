"""The generated package's version and CHANGELOG, from what changed since the last generate.

The committed ``generated/`` is the previous release: its ``schemas/`` are compared with the
models being generated (``generator.diff``), the version in ``python/pyproject.toml`` is bumped
as the changes require, and an entry for the new version is put on top of
``python/CHANGELOG.md``. Nothing depends on the clock, so the result is deterministic and
``generate --check`` right after ``generate`` finds no drift.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.diff import Change, bump_version, changelog_entry, compare, required_bump
from generator.diff.normalized import spec_from_normalized
from generator.errors import InputError
from generator.render.python.package import PACKAGE_VERSION
from generator.schema.ir import ModelSpec, NameOrigin

__all__ = ["CHANGELOG", "Release", "plan_release"]

CHANGELOG = "python/CHANGELOG.md"
_HEADER = (
    "# Changelog of runcomfy-models\n\n"
    "Written by `runcomfy-codegen generate` from the schema changes of each release "
    "(breaking: major, compatible: minor, noteworthy only: patch).\n\n"
)


@dataclass(frozen=True)
class Release:
    version: str
    changelog: str
    changes: dict[str, list[Change]]


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _current_version(out_dir: Path) -> str | None:
    text = _read(out_dir / "python" / "pyproject.toml")
    if text is None:
        return None
    try:
        version = tomllib.loads(text)["project"]["version"]
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise InputError(
            str(out_dir / "python" / "pyproject.toml"), f"no readable project version ({exc})"
        ) from None
    if not isinstance(version, str):
        raise InputError(str(out_dir / "python" / "pyproject.toml"), "version is not a string")
    return version


def _previous_specs(out_dir: Path, current: Sequence[ModelSpec]) -> dict[str, ModelSpec]:
    overrides = {
        spec.model_id: {
            f.wire_key: f.python_name for f in spec.fields if f.name_origin is NameOrigin.OVERRIDE
        }
        for spec in current
    }
    root = out_dir / "schemas"
    previous = {}
    for input_path in sorted(root.rglob("input.schema.json")):
        model_id = input_path.parent.relative_to(root).as_posix()
        output_path = input_path.with_name("output.schema.json")
        try:
            input_schema = json.loads(input_path.read_text(encoding="utf-8"))
            output_schema = json.loads(output_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(
                str(input_path.parent), f"unreadable previous schemas: {exc}"
            ) from None
        previous[model_id] = spec_from_normalized(
            model_id,
            input_schema,
            output_schema,
            names=overrides.get(model_id),
            file=str(input_path),
        )
    return previous


def _first_release(version: str, specs: Sequence[ModelSpec]) -> str:
    models = "".join(f"- `{spec.model_id}`\n" for spec in specs)
    return f"{_HEADER}## {version}\n\nFirst release, with these models:\n\n{models}"


def plan_release(specs: Sequence[ModelSpec], out_dir: Path) -> Release:
    """The version and CHANGELOG that generating ``specs`` into ``out_dir`` should carry."""
    current_version = _current_version(out_dir)
    changelog = _read(out_dir / CHANGELOG)
    if current_version is None:
        # First generation into this folder: the starting version, listing every model.
        return Release(PACKAGE_VERSION, _first_release(PACKAGE_VERSION, specs), {})
    previous = _previous_specs(out_dir, specs)
    by_id = {spec.model_id: spec for spec in specs}
    changes = {
        model_id: compare(previous.get(model_id), by_id.get(model_id))
        for model_id in sorted(set(previous) | set(by_id))
    }
    changes = {model_id: found for model_id, found in changes.items() if found}
    bump = required_bump(c for found in changes.values() for c in found)
    if bump == "none":
        kept = changelog if changelog is not None else _first_release(current_version, specs)
        return Release(current_version, kept, {})
    version = bump_version(current_version, bump)
    older = (changelog or _HEADER).removeprefix(_HEADER)
    entry = changelog_entry(version, changes).rstrip("\n") + "\n"
    return Release(version, _HEADER + entry + ("\n" + older if older else ""), changes)
