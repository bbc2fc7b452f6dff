"""``diff OLD_DIR NEW_DIR``: two folders of model files compared as whole catalogs.

Models are matched by model id: one only in NEW is added (non-breaking), one only in OLD is
removed (breaking), one in both is compared property by property (``compare``). The catalog
gets one semver bump, the largest any change needs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from generator.diff.changes import Bump, Category, Change, required_bump
from generator.diff.compare import compare
from generator.diff.report import JSON_FORMAT_VERSION, render_markdown, render_text
from generator.schema.ir import ModelSpec

__all__ = [
    "ADDED",
    "CHANGED",
    "REMOVED",
    "CatalogDiff",
    "ModelDiff",
    "compare_catalogs",
    "render_catalog_json",
    "render_catalog_markdown",
    "render_catalog_text",
]

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
_STATUSES = (ADDED, REMOVED, CHANGED)
_CATEGORIES = (Category.BREAKING, Category.NON_BREAKING, Category.NOTEWORTHY)


@dataclass(frozen=True)
class ModelDiff:
    model_id: str
    #: ADDED, REMOVED or CHANGED.
    status: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class CatalogDiff:
    #: Every model with a change, ordered by model id.
    models: tuple[ModelDiff, ...]
    #: Models in both folders whose schemas compare equal.
    unchanged: int

    @property
    def changes(self) -> list[Change]:
        return [change for model in self.models for change in model.changes]

    @property
    def bump(self) -> Bump:
        return required_bump(self.changes)

    def count(self, status: str) -> int:
        return sum(model.status == status for model in self.models)


def compare_catalogs(old: Sequence[ModelSpec], new: Sequence[ModelSpec]) -> CatalogDiff:
    old_by_id = {spec.model_id: spec for spec in old}
    new_by_id = {spec.model_id: spec for spec in new}
    models: list[ModelDiff] = []
    unchanged = 0
    for model_id in sorted(old_by_id.keys() | new_by_id.keys()):
        before, after = old_by_id.get(model_id), new_by_id.get(model_id)
        changes = tuple(compare(before, after))
        if before is None:
            models.append(ModelDiff(model_id, ADDED, changes))
        elif after is None:
            models.append(ModelDiff(model_id, REMOVED, changes))
        elif changes:
            models.append(ModelDiff(model_id, CHANGED, changes))
        else:
            unchanged += 1
    return CatalogDiff(tuple(models), unchanged)


def _summary(diff: CatalogDiff) -> str:
    counts = ", ".join(f"{diff.count(status)} {status}" for status in _STATUSES)
    return f"{counts}, {diff.unchanged} unchanged"


def render_catalog_text(diff: CatalogDiff) -> str:
    """``catalog: 1 added, 1 removed, 1 changed, 120 unchanged; semver bump: major``, then
    each model's report as ``diff`` prints it for one model."""
    lines = [f"catalog: {_summary(diff)}; semver bump: {diff.bump}\n"]
    for model in diff.models:
        lines.append(render_text(model.model_id, model.changes))
    return "".join(lines)


def render_catalog_json(old: str, new: str, diff: CatalogDiff) -> str:
    document = {
        "version": JSON_FORMAT_VERSION,
        "kind": "catalog",
        "old": old,
        "new": new,
        "bump": diff.bump,
        "summary": {
            **{status: diff.count(status) for status in _STATUSES},
            "unchanged": diff.unchanged,
            **{c.value: sum(ch.category is c for ch in diff.changes) for c in _CATEGORIES},
        },
        "models": [
            {
                "model_id": model.model_id,
                "status": model.status,
                "bump": required_bump(model.changes),
                "changes": [change.to_json() for change in model.changes],
            }
            for model in diff.models
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_catalog_markdown(diff: CatalogDiff) -> str:
    lines = [
        "## Catalog changes",
        "",
        f"Semver bump: **{diff.bump}** ({_summary(diff)})",
        "",
    ]
    for model in diff.models:
        # The one-model report without its heading, under a heading that adds the status.
        body = render_markdown(model.model_id, model.changes).split("\n", 2)[2]
        lines.extend([f"### `{model.model_id}` ({model.status})", "", body])
    return "\n".join(lines)
