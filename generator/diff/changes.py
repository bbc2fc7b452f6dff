"""One classified schema change, and the semver bump a set of them needs (docs/diff.md)."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Bump", "Category", "Change", "bump_version", "required_bump"]

Bump = Literal["major", "minor", "patch", "none"]


class Category(enum.StrEnum):
    BREAKING = "breaking"
    NON_BREAKING = "non-breaking"
    NOTEWORTHY = "noteworthy"


@dataclass(frozen=True)
class Change:
    #: What the change means for users of the generated SDK (Python names); drives the bump.
    category: Category
    #: Stable kebab-case id of the kind of change (docs/diff.md lists them all).
    code: str
    #: One line, naming the property by wire key and Python name.
    message: str
    #: "model", "input" or "output".
    part: str
    wire_key: str | None = None
    python_name: str | None = None
    #: JSON pointer into the NEW normalized schema of ``part`` (the OLD one when removed).
    pointer: str = ""
    old: Any = None
    new: Any = None
    #: What it means for callers of the HTTP API (wire keys); None when they are unaffected.
    #: Differs from ``category`` only for renames: a renumbered node key breaks raw callers
    #: while the SDK keeps its Python name, and the reverse.
    wire: Category | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "wire": self.wire.value if self.wire else None,
            "code": self.code,
            "part": self.part,
            "wire_key": self.wire_key,
            "python_name": self.python_name,
            "pointer": self.pointer,
            "message": self.message,
            "old": self.old,
            "new": self.new,
        }


def required_bump(changes: Iterable[Change]) -> Bump:
    """major for a breaking change, minor for a compatible one, patch for noteworthy only."""
    categories = {c.category for c in changes}
    if Category.BREAKING in categories:
        return "major"
    if Category.NON_BREAKING in categories:
        return "minor"
    if Category.NOTEWORTHY in categories:
        return "patch"
    return "none"


_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def bump_version(version: str, bump: Bump) -> str:
    """Apply ``bump`` literally, also before 1.0: a breaking change of a 0.x package makes it
    1.0.0, because Python's ``~=0.3`` admits every 0.x release (docs/diff.md)."""
    match = _VERSION.fullmatch(version)
    if match is None:
        raise ValueError(f"not a MAJOR.MINOR.PATCH version: {version!r}")
    major, minor, patch = (int(part) for part in match.groups())
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version
