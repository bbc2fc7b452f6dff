"""The Jinja environment: where templates come from, and the escaping filters.

Templates hold layout; every value from a schema reaches them through a filter that escapes it
for its destination (``py`` for Python source, ``json`` for JSON). Nothing from a schema is
ever pasted raw into code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

import generator

__all__ = ["default_templates_dir", "make_environment", "py_literal"]


def default_templates_dir() -> Path:
    """``generator/_templates`` in an installed wheel; the repo's ``templates/`` otherwise."""
    package = Path(generator.__file__).resolve().parent
    installed = package / "_templates"
    return installed if installed.is_dir() else package.parent / "templates"


def py_literal(value: Any) -> str:
    """A Python literal for a JSON value (``repr`` escapes every string safely)."""
    if isinstance(value, dict):
        items = ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        inner = ", ".join(py_literal(v) for v in value)
        return f"[{inner}]"
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _docstring(text: str, indent: int = 4) -> str:
    from generator.render.python.docstrings import docstring_source

    return docstring_source(text, indent)


def _json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def make_environment(override_dir: Path | None = None) -> jinja2.Environment:
    """Templates from ``override_dir`` (by file name) first, then the bundled ones."""
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None:
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.FileSystemLoader(default_templates_dir()))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # outputs are Python/Markdown/TOML: each value is escaped by a filter
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["py"] = py_literal
    env.filters["docstring"] = _docstring
    env.filters["json"] = _json
    return env
