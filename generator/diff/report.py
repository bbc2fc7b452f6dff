"""Diff reports (text, versioned JSON, Markdown for pull requests) and CHANGELOG entries."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from generator.diff.changes import Category, Change, required_bump

__all__ = [
    "JSON_FORMAT_VERSION",
    "changelog_entry",
    "render_json",
    "render_markdown",
    "render_text",
    "summary_line",
]

JSON_FORMAT_VERSION = 1
_ORDER = (Category.BREAKING, Category.NON_BREAKING, Category.NOTEWORTHY)


def _tally(changes: Sequence[Change]) -> str:
    counts = [(c, sum(ch.category is c for ch in changes)) for c in _ORDER]
    return ", ".join(f"{n} {c.value}" for c, n in counts if n)


def summary_line(model_id: str, changes: Sequence[Change]) -> str:
    """E.g. ``a/b/c: 3 changes (1 breaking, 2 noteworthy); semver bump: major``."""
    if not changes:
        return f"{model_id}: no changes; semver bump: none"
    count = f"{len(changes)} change{'s' if len(changes) != 1 else ''}"
    return f"{model_id}: {count} ({_tally(changes)}); semver bump: {required_bump(changes)}"


def _wire_note(change: Change) -> str:
    if change.wire is change.category:
        return ""
    return " [wire callers: unaffected]" if change.wire is None else f" [wire: {change.wire}]"


def render_text(model_id: str, changes: Sequence[Change]) -> str:
    lines = [summary_line(model_id, changes)]
    for c in sorted(changes, key=lambda c: _ORDER.index(c.category)):
        lines.append(f"  {c.category.value:<12} {c.code:<28} {c.part}: {c.message}{_wire_note(c)}")
    return "\n".join(lines) + "\n"


def render_json(model_id: str, old: str, new: str, changes: Sequence[Change]) -> str:
    document = {
        "version": JSON_FORMAT_VERSION,
        "model_id": model_id,
        "old": old,
        "new": new,
        "bump": required_bump(changes),
        "summary": {c.value: sum(ch.category is c for ch in changes) for c in _ORDER},
        "changes": [c.to_json() for c in changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _markdown_items(changes: Sequence[Change]) -> list[str]:
    lines = []
    for category in _ORDER:
        of_kind = [c for c in changes if c.category is category]
        if of_kind:
            lines.append(f"**{category.value}**")
            lines.append("")
            lines.extend(
                f"- `{c.code}` {c.part}: {_escape(c.message)}{_wire_note(c)}" for c in of_kind
            )
            lines.append("")
    return lines


def _escape(text: str) -> str:
    # Schema text must not turn into Markdown (links, emphasis, HTML) in a PR comment.
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def render_markdown(model_id: str, changes: Sequence[Change]) -> str:
    lines = [f"### `{model_id}`", "", f"Semver bump: **{required_bump(changes)}**", ""]
    lines.extend(_markdown_items(changes) or ["No changes.", ""])
    return "\n".join(lines)


def changelog_entry(version: str, changes_by_model: Mapping[str, Sequence[Change]]) -> str:
    """The CHANGELOG.md section for ``version``: deterministic (no date), models sorted."""
    lines = [f"## {version}", ""]
    for model_id in sorted(changes_by_model):
        changes = changes_by_model[model_id]
        if changes:
            lines.extend([f"### `{model_id}`", "", *_markdown_items(changes)])
    if len(lines) == 2:
        lines.extend(["No schema changes.", ""])
    return "\n".join(lines)
