"""A one-line summary of how two JSON documents differ, by JSON pointer."""

from __future__ import annotations

from typing import Any

from generator.errors import join_pointer, one_line

__all__ = ["json_changes", "summarize_changes"]


def json_changes(old: Any, new: Any, pointer: str = "") -> list[tuple[str, str]]:
    """(kind, pointer) for every added, removed or changed value, in document order."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[tuple[str, str]] = []
        for key in old:
            if key not in new:
                changes.append(("removed", join_pointer(pointer, key)))
            else:
                changes.extend(json_changes(old[key], new[key], join_pointer(pointer, key)))
        changes.extend(("added", join_pointer(pointer, key)) for key in new if key not in old)
        return changes
    if type(old) is type(new) and old == new:
        return []
    return [("changed", pointer)]


def summarize_changes(old: Any, new: Any, *, most: int = 3) -> str:
    """E.g. ``2 changed (/input_schema/title, /output_schema/...)``; empty when equal."""
    changes = json_changes(old, new)
    if not changes:
        return ""
    shown = ", ".join(p for _, p in changes[:most]) + (", ..." if len(changes) > most else "")
    counts: dict[str, int] = {}
    for kind, _ in changes:
        counts[kind] = counts.get(kind, 0) + 1
    tally = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    # Pointers hold the schema's keys: a newline in one would start a forged output line.
    return one_line(f"{tally} ({shown})")
