"""``diff``: classify schema changes between two versions of a model (docs/diff.md)."""

from __future__ import annotations

from generator.diff.changes import Bump, Category, Change, bump_version, required_bump
from generator.diff.compare import compare
from generator.diff.normalized import spec_from_normalized
from generator.diff.report import changelog_entry, summary_line

__all__ = [
    "Bump",
    "Category",
    "Change",
    "bump_version",
    "changelog_entry",
    "compare",
    "required_bump",
    "spec_from_normalized",
    "summary_line",
]
