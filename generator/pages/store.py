"""Write imported pages to ``schemas/<model_id>.json`` and say what changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from generator.errors import InputError
from generator.fsutil import apply_batch
from generator.limits import MAX_PAGE_BYTES, read_bounded
from generator.pages.extract import extract_page
from generator.schema.documented import (
    DocumentedModel,
    dump_model_file,
    load_model_file,
    model_path,
)
from generator.schema.guard import check_values
from generator.schema.jsondiff import summarize_changes

__all__ = ["ImportResult", "apply_import", "apply_imports", "plan_imports", "read_page"]


@dataclass(frozen=True)
class ImportResult:
    model: DocumentedModel
    path: Path
    #: "new", "unchanged" or "changed".
    outcome: str
    #: For "changed": one line saying what changed.
    summary: str = ""
    #: The model file it replaced, if any (for a schema diff).
    previous: DocumentedModel | None = None


def read_page(page: Path) -> DocumentedModel:
    """Parse a saved documentation page into a documented model (nothing is written)."""
    file = str(page)
    data = read_bounded(page, MAX_PAGE_BYTES, "a page")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(file, f"cannot read page: not UTF-8 at byte {exc.start}") from None
    extracted = extract_page(text, file)
    return DocumentedModel(
        model_id=extracted.model_id,
        endpoint=extracted.endpoint,
        source=page.name,
        example=extracted.example,
        input_schema=extracted.input_schema,
        output_schema=extracted.output_schema,
        file=file,
    )


def plan_imports(models: list[DocumentedModel], schemas_dir: Path) -> list[ImportResult]:
    """Classify every import against what is stored (or planned earlier in the same batch).

    Nothing is written: a bad model anywhere in the batch raises before any file changes.
    """
    planned: dict[Path, DocumentedModel | None] = {}
    results = []
    for model in models:
        # What no model file may hold (NaN, a lone surrogate, nesting past the limit) is
        # refused at its pointer, not written for generate to refuse (lint reports it).
        check_values(model.to_json(), model.file)
        path = model_path(schemas_dir, model.model_id, model.file)
        if path not in planned:
            planned[path] = load_model_file(path) if path.exists() else None
        previous = planned[path]
        if previous is not None and previous.catalog is not None and model.catalog is None:
            # The page wins over a pulled file's schemas; the catalog's facts stay (pull.md).
            model = replace(model, catalog=previous.catalog)
        if previous is None:
            outcome, summary = "new", ""
        else:
            # The source page's name is provenance, not content: another page documenting
            # the same schema is "unchanged".
            old, new = previous.to_json(), model.to_json()
            old.pop("source")
            new.pop("source")
            summary = summarize_changes(old, new)
            outcome = "changed" if summary else "unchanged"
        if outcome != "unchanged":
            planned[path] = model
        results.append(ImportResult(model, path, outcome, summary, previous))
    return results


def apply_import(result: ImportResult) -> None:
    apply_imports([result])


def apply_imports(results: Sequence[ImportResult]) -> None:
    """Write every changed model file, or none (:func:`generator.fsutil.apply_batch`)."""
    apply_batch({r.path: dump_model_file(r.model) for r in results if r.outcome != "unchanged"})
