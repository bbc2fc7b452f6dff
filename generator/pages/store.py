"""Write imported pages to ``schemas/<model_id>.json`` and say what changed."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import InputError
from generator.limits import MAX_PAGE_BYTES, read_bounded
from generator.pages.extract import extract_page
from generator.schema.documented import (
    DocumentedModel,
    dump_model_file,
    load_model_file,
    model_path,
)
from generator.schema.jsondiff import summarize_changes

__all__ = [
    "ImportResult",
    "apply_import",
    "apply_imports",
    "plan_imports",
    "read_page",
    "write_atomically",
]


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


def write_atomically(path: Path, content: str) -> None:
    """Replace ``path`` in one step, so a failure never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def plan_imports(models: list[DocumentedModel], schemas_dir: Path) -> list[ImportResult]:
    """Classify every import against what is stored (or planned earlier in the same batch).

    Nothing is written: a bad model anywhere in the batch raises before any file changes.
    """
    planned: dict[Path, DocumentedModel | None] = {}
    results = []
    for model in models:
        path = model_path(schemas_dir, model.model_id, model.file)
        if path not in planned:
            planned[path] = load_model_file(path) if path.exists() else None
        previous = planned[path]
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
    """Write every changed model file, or none: all-or-nothing across the whole batch.

    Each new file is first written beside its target (``.<name>.<random>.tmp``); only when all
    are written are they renamed into place, in order. If anything fails, the files already
    replaced get their old content back, new ones and new folders are removed, and the
    error propagates.
    """
    writes = {r.path: dump_model_file(r.model) for r in results if r.outcome != "unchanged"}
    staged: dict[Path, Path] = {}
    created_dirs: list[Path] = []
    replaced: list[tuple[Path, bytes | None]] = []
    try:
        for path, content in writes.items():
            created_dirs.extend(_make_parents(path.parent))
            staged[path] = _stage(path, content)
        for path, tmp in staged.items():
            previous = path.read_bytes() if path.is_file() else None
            os.replace(tmp, path)
            replaced.append((path, previous))
    except BaseException:
        for path, previous in reversed(replaced):
            if previous is None:
                path.unlink(missing_ok=True)
            else:
                write_atomically(path, previous.decode("utf-8"))
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        for folder in reversed(created_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the created ones, outermost first."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    for path in missing:
        path.mkdir()
    return missing


def _stage(path: Path, content: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)
