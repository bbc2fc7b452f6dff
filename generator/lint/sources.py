"""What ``lint PATH...`` reads: model files, folders of them, and saved documentation pages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.errors import InputError
from generator.pages.sources import DocumentedSource, read_source
from generator.schema.documented import check_found_inside, discover_models

__all__ = ["collect_targets"]

#: Pages found in a folder: not ``.md``, which folders hold as documentation far more often.
_FOLDER_PAGE_SUFFIXES = (".txt", ".html", ".htm")


def _pages(folder: Path) -> list[Path]:
    pages = [
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in _FOLDER_PAGE_SUFFIXES
    ]
    for page in pages:
        check_found_inside(page, folder, "pages found in a folder")
    return pages


def collect_targets(paths: Sequence[Path]) -> list[DocumentedSource]:
    """Every model the paths name, in the order given (folders: recursively, sorted)."""
    targets: list[DocumentedSource] = []
    for path in paths:
        if path.is_dir():
            found = [*discover_models(path), *_pages(path)]
            targets.extend(read_source(p) for p in sorted(found))
        elif path.exists():
            targets.append(read_source(path))
        else:
            raise InputError(str(path), "no such file or folder")
    return targets
