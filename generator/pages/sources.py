"""One documented model from a file the user names: a model file or a saved page.

``lint`` and ``diff`` both accept either; this is the one place that tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import InputError
from generator.limits import MAX_MODEL_FILE_BYTES, read_bounded
from generator.pages.store import read_page
from generator.schema.documented import NAMES_SUFFIX, DocumentedModel, load_model_file

__all__ = ["PAGE_SUFFIXES", "DocumentedSource", "read_source"]

PAGE_SUFFIXES = (".txt", ".html", ".htm", ".md")


@dataclass(frozen=True)
class DocumentedSource:
    model: DocumentedModel
    #: The file's JSON text, to turn pointers into line numbers; None for pages.
    json_text: str | None


def read_source(path: Path) -> DocumentedSource:
    """Read one model file or saved page; InputError (exit 2) when it cannot be read at all."""
    if path.suffix.lower() in PAGE_SUFFIXES:
        return DocumentedSource(read_page(path), None)
    if path.suffix.lower() == ".json" and not path.name.endswith(NAMES_SUFFIX):
        model = load_model_file(path)
        text = read_bounded(path, MAX_MODEL_FILE_BYTES, "a model file")
        return DocumentedSource(model, text.decode("utf-8", errors="replace"))
    raise InputError(
        str(path), f"not a model file (.json) or a saved page ({', '.join(PAGE_SUFFIXES)})"
    )
