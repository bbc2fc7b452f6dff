"""What ``lint PATH...`` reads: model files, folders of them, and saved documentation pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import InputError
from generator.limits import MAX_MODEL_FILE_BYTES, read_bounded
from generator.pages.store import read_page
from generator.schema.documented import (
    NAMES_SUFFIX,
    DocumentedModel,
    discover_models,
    load_model_file,
)

__all__ = ["PAGE_SUFFIXES", "LintTarget", "collect_targets", "load_target"]

PAGE_SUFFIXES = (".txt", ".html", ".htm", ".md")
#: Pages found in a folder: not ``.md``, which folders hold as documentation far more often.
_FOLDER_PAGE_SUFFIXES = (".txt", ".html", ".htm")


@dataclass(frozen=True)
class LintTarget:
    model: DocumentedModel
    #: The file's JSON text, to turn pointers into line numbers; None for pages.
    json_text: str | None


def load_target(path: Path) -> LintTarget:
    """Read one model file or saved page; InputError (exit 2) when it cannot be read at all."""
    if path.suffix.lower() in PAGE_SUFFIXES:
        return LintTarget(read_page(path), None)
    if path.suffix.lower() == ".json" and not path.name.endswith(NAMES_SUFFIX):
        model = load_model_file(path)
        text = read_bounded(path, MAX_MODEL_FILE_BYTES, "a model file")
        return LintTarget(model, text.decode("utf-8", errors="replace"))
    raise InputError(
        str(path), f"not a model file (.json) or a saved page ({', '.join(PAGE_SUFFIXES)})"
    )


def _pages(folder: Path) -> list[Path]:
    return [
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in _FOLDER_PAGE_SUFFIXES
    ]


def collect_targets(paths: Sequence[Path]) -> list[LintTarget]:
    """Every model the paths name, in the order given (folders: recursively, sorted)."""
    targets: list[LintTarget] = []
    for path in paths:
        if path.is_dir():
            found = [*discover_models(path), *_pages(path)]
            targets.extend(load_target(p) for p in sorted(found))
        elif path.exists():
            targets.append(load_target(path))
        else:
            raise InputError(str(path), "no such file or folder")
    return targets
