"""The public runtime surface matches docs/client.md: every error in its table is exported,
with the parents the table gives, and every exported name exists."""

from __future__ import annotations

import builtins
import re
from pathlib import Path

import generator.runtime as runtime

DOCS = Path(__file__).resolve().parents[2] / "docs" / "client.md"


def _error_table() -> dict[str, list[str]]:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Errors") :]
    section = section[: section.index("\n## ", 1)]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
    return {name: re.findall(r"`(\w+)`", parents) for name, parents in rows}


def test_every_documented_error_is_exported_with_its_parents() -> None:
    table = _error_table()
    assert len(table) >= 20, table
    for name, parents in table.items():
        assert name in runtime.__all__, name
        error = getattr(runtime, name)
        for parent in parents:
            base = getattr(runtime, parent, None) or getattr(builtins, parent)
            assert issubclass(error, base), (name, parent)


def test_every_exported_error_is_documented() -> None:
    exported = {
        name
        for name in runtime.__all__
        if isinstance(getattr(runtime, name), type)
        and issubclass(getattr(runtime, name), BaseException)
    }
    assert exported == set(_error_table())


def test_every_export_exists() -> None:
    assert [name for name in runtime.__all__ if not hasattr(runtime, name)] == []
