"""Plan a pull: which models it selects, what each file will hold, what is gone.

Nothing here writes. Every selected entry is turned into a model file and normalized, and
every stored model it replaces is read, before the caller writes anything: one unusable entry
stops the whole pull.

Precedence (docs/pull.md): a model file imported from a documentation page keeps the page's
endpoint, example and input schema; a documented output schema is never replaced by a derived
one; the catalog's display name, categories, kind and price are always taken. When the
catalog's input schema differs from a kept page's, the classified differences are reported.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from generator.catalog.entry import SOURCE, CatalogEntry
from generator.diff import Change, compare
from generator.errors import InputError
from generator.schema.documented import (
    DERIVED,
    DocumentedModel,
    discover_models,
    load_model_file,
    model_path,
)
from generator.schema.ir import ModelSpec
from generator.schema.jsondiff import summarize_changes
from generator.schema.normalize import normalize

__all__ = [
    "CHANGED",
    "GONE",
    "NEW",
    "REMOVED",
    "UNCHANGED",
    "Outcome",
    "Selection",
    "Stored",
    "plan_pull",
    "read_stored",
]

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
#: A pulled model no longer in the catalog: deleted with --prune, else only listed.
REMOVED, GONE = "removed", "gone"
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Selection:
    """Which catalog models a pull takes: ids or globs, categories, or all (a union).

    Naming nothing refreshes the models already stored that the catalog has.
    """

    patterns: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    everything: bool = False

    @property
    def refresh(self) -> bool:
        return not (self.patterns or self.categories or self.everything)

    def exact_ids(self) -> tuple[str, ...] | None:
        """The model ids when only exact ids were named (each is fetched on its own)."""
        if self.categories or self.everything or not self.patterns:
            return None
        if any(_GLOB_CHARS & set(pattern) for pattern in self.patterns):
            return None
        return tuple(dict.fromkeys(self.patterns))

    def matches(self, model_id: str, categories: Iterable[str]) -> bool:
        """``*`` in a glob also matches ``/`` (``bytedance/*`` is every bytedance model)."""
        if self.everything:
            return True
        if any(fnmatch.fnmatchcase(model_id, pattern) for pattern in self.patterns):
            return True
        return bool(set(self.categories) & set(categories))


@dataclass(frozen=True)
class Stored:
    path: Path
    model: DocumentedModel


@dataclass(frozen=True)
class Outcome:
    model_id: str
    path: Path
    #: NEW, CHANGED, UNCHANGED, REMOVED or GONE.
    status: str
    #: What the file holds after the pull (None when removed or gone).
    model: DocumentedModel | None
    previous: DocumentedModel | None = None
    #: For CHANGED: one line saying which JSON values changed.
    summary: str = ""
    #: For a kept page: how the catalog's schema differs from the page's (page -> catalog).
    page_differences: tuple[Change, ...] = ()

    @property
    def writes(self) -> bool:
        return self.status in (NEW, CHANGED)


def read_stored(schemas_dir: Path) -> dict[str, Stored]:
    """Every model file under ``schemas_dir`` by model id (none when the folder is missing)."""
    stored: dict[str, Stored] = {}
    if not schemas_dir.is_dir():
        return stored
    for path in discover_models(schemas_dir):
        model = load_model_file(path)
        if model.model_id in stored:
            raise InputError(
                str(path), f"model {model.model_id!r} is also in {stored[model.model_id].path}"
            )
        stored[model.model_id] = Stored(path, model)
    return stored


def _check_case(model_ids: Iterable[str]) -> None:
    seen: dict[str, str] = {}
    for model_id in sorted(model_ids):
        other = seen.setdefault(model_id.casefold(), model_id)
        if other != model_id:
            raise InputError(
                f"catalog:{model_id}",
                f"differs from {other!r} only in case: the two would share one file on "
                "case-insensitive file systems",
            )


def _merge(previous: DocumentedModel, pulled: DocumentedModel, path: Path) -> DocumentedModel:
    """What a stored model becomes when the catalog has it too (the precedence rule)."""
    base = pulled if previous.source == SOURCE else previous
    if previous.output_schema_source != DERIVED:
        output_schema, output_source = previous.output_schema, previous.output_schema_source
    else:
        output_schema, output_source = pulled.output_schema, DERIVED
    return replace(
        base,
        output_schema=output_schema,
        output_schema_source=output_source,
        catalog=pulled.catalog,
        names=previous.names,
        file=str(path),
    )


def _page_differences(page: DocumentedModel, pulled: ModelSpec) -> tuple[Change, ...]:
    """The catalog's input schema against a kept page's. Outputs are not compared: the
    catalog publishes none, so a derived one differing from the documented one says nothing."""
    changes = compare(normalize(page), pulled)
    return tuple(change for change in changes if change.part != "output")


def _normalized(model: DocumentedModel) -> ModelSpec:
    try:
        return normalize(model)
    except RecursionError:
        raise InputError(model.file, "the schema is nested too deeply", "/input_schema") from None


def _plan_one(entry: CatalogEntry, stored: Stored | None, schemas_dir: Path) -> Outcome:
    pulled = entry.to_model()
    pulled_spec = _normalized(pulled)  # an unusable catalog schema stops the pull, naming it
    if stored is None:
        path = model_path(schemas_dir, entry.model_id, entry.label)
        return Outcome(entry.model_id, path, NEW, replace(pulled, file=str(path)))
    previous = stored.model
    merged = _merge(previous, pulled, stored.path)
    if merged.names or (merged.input_schema, merged.output_schema, merged.example) != (
        pulled.input_schema,
        pulled.output_schema,
        pulled.example,
    ):
        _normalized(merged)  # what will be written must be usable too
    differences = _page_differences(previous, pulled_spec) if previous.source != SOURCE else ()
    summary = summarize_changes(previous.to_json(), merged.to_json())
    status = CHANGED if summary else UNCHANGED
    return Outcome(entry.model_id, stored.path, status, merged, previous, summary, differences)


def _check_named(
    selection: Selection, catalog: Sequence[CatalogEntry], gone: Sequence[Stored]
) -> None:
    """A pattern or category that selects nothing is a typo, not a silent no-op."""
    ids = [entry.model_id for entry in catalog] + [s.model.model_id for s in gone]
    for pattern in selection.patterns:
        if not any(fnmatch.fnmatchcase(model_id, pattern) for model_id in ids):
            raise InputError("pull", f"{pattern!r} matches no model in the catalog")
    known = sorted({c for entry in catalog for c in entry.info.categories})
    for category in selection.categories:
        if category not in known:
            shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            raise InputError(
                "--category", f"no catalog model has category {category!r} (known: {shown})"
            )


def plan_pull(
    entries: Sequence[CatalogEntry],
    stored: Mapping[str, Stored],
    selection: Selection,
    schemas_dir: Path,
    *,
    whole_catalog: bool,
    prune: bool,
) -> list[Outcome]:
    """One outcome per selected model (and per pulled model the catalog no longer has, when
    ``entries`` is the whole catalog), ordered by model id. Raises before anything is written."""
    if selection.refresh:
        chosen = [entry for entry in entries if entry.model_id in stored]
    else:
        chosen = [e for e in entries if selection.matches(e.model_id, e.info.categories)]
    gone: list[Stored] = []
    if whole_catalog:
        in_catalog = {entry.model_id for entry in entries}
        for model_id, item in stored.items():
            if model_id in in_catalog or item.model.source != SOURCE:
                continue  # pull removes only what it wrote; page imports stay
            categories = item.model.catalog.categories if item.model.catalog else ()
            if selection.refresh or selection.matches(model_id, categories):
                gone.append(item)
    if not selection.refresh:
        _check_named(selection, entries, gone)
    _check_case([*stored, *(entry.model_id for entry in chosen)])
    outcomes = [_plan_one(entry, stored.get(entry.model_id), schemas_dir) for entry in chosen]
    for item in gone:
        status = REMOVED if prune else GONE
        outcomes.append(Outcome(item.model.model_id, item.path, status, None, item.model))
    return sorted(outcomes, key=lambda outcome: outcome.model_id)
