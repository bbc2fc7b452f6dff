"""The Jinja environment: where templates come from, and the escaping filters.

Templates hold layout; every value from a schema reaches them through a filter that escapes it
for its destination (``py`` for Python source, ``json`` for JSON). Nothing from a schema is
ever pasted raw into code.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any

import jinja2

import generator
from generator.config import PackageNames
from generator.errors import InputError

__all__ = [
    "default_templates_dir",
    "make_environment",
    "package_variables",
    "py_block",
    "py_literal",
    "template_failure",
]

#: black's line length for the generated package (``BLACK_MODE`` in render.python.layout).
LINE_LENGTH = 100


def default_templates_dir() -> Path:
    """``generator/_templates`` in an installed wheel; the repo's ``templates/`` otherwise."""
    package = Path(generator.__file__).resolve().parent
    installed = package / "_templates"
    return installed if installed.is_dir() else package.parent / "templates"


def package_variables(names: PackageNames) -> dict[str, str]:
    """The variables every template gets for the package's names (``from {{ package }} import
    RunComfy``, ``pip install {{ distribution }}``); both are checked names, safe anywhere."""
    return {"package": names.import_name, "distribution": names.distribution_name}


def py_str(text: str) -> str:
    """``text`` as a Python string literal, spelled as black spells it.

    ``repr`` does the escaping (every control, quote and backslash); only the choice of quotes
    is black's: double quotes, unless they would need more backslashes than single ones.
    """
    spelled = repr(text)
    singles, doubles = text.count("'"), text.count('"')
    if doubles > singles:
        return spelled  # repr's single quotes: black keeps them (fewer escapes)
    if not singles:
        return '"' + spelled[1:-1] + '"'
    if not doubles:
        return spelled  # repr chose double quotes already
    # Both kinds, no more double than single: black swaps \' for ' and " for \".
    parts = ("'".join(repr(piece)[1:-1] for piece in seg.split("'")) for seg in text.split('"'))
    return '"' + '\\"'.join(parts) + '"'


def py_number(value: int | float) -> str:
    """A JSON number as black spells it: ``repr`` without the ``+`` of an exponent."""
    return repr(value).replace("e+", "e")


def py_literal(value: Any) -> str:
    """A Python literal for a JSON value, spelled as black spells it (:func:`py_str`)."""
    if isinstance(value, dict):
        items = ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        inner = ", ".join(py_literal(v) for v in value)
        return f"[{inner}]"
    if isinstance(value, str):
        return py_str(value)
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return py_number(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def width(text: str) -> int:
    """Columns ``text`` takes as black counts them (an East Asian wide character takes two)."""
    if text.isascii():
        return len(text)
    from black.strings import str_width  # black's own table, imported only when needed

    return int(str_width(text))


def py_block(value: Any, column: int = 0, indent: int = 0, tail: int = 0) -> str:
    """:func:`py_literal` laid out as black lays it out, starting at ``column``.

    black spends most of its time splitting long lines: a schema literal printed on one line
    cost it ~100 ms per model module. A collection that fits on its line (with the ``tail``
    characters that follow it, e.g. a comma) stays on one line; one that does not gets one
    item per line, recursively, with a trailing comma when it has more than one item (black's
    rule). black still formats the whole module afterwards, so this decides only how much work
    is left for it, never what the result is.
    """
    one_line = py_literal(value)
    if column + width(one_line) + tail <= LINE_LENGTH:
        return one_line
    if not isinstance(value, dict | list | tuple) or not value:
        return one_line
    inner = indent + 4
    comma = "," if len(value) > 1 else ""
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{py_literal(key)}: "
            text = py_block(item, inner + width(head), inner, len(comma))
            lines.append(" " * inner + head + text + comma)
        opening, closing = "{", "}"
    else:
        for item in value:
            lines.append(" " * inner + py_block(item, inner, inner, len(comma)) + comma)
        opening, closing = "[", "]"
    return opening + "\n" + "\n".join(lines) + "\n" + " " * indent + closing


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
    env.filters["py_block"] = py_block
    env.filters["docstring"] = _docstring
    env.filters["json"] = _json
    return env


def template_failure(exc: BaseException) -> InputError | None:
    """An exception raised by a template (a syntax error, an undefined name, a filter that
    failed) as one line naming the template and its line; None when no template raised it.

    Templates are the user's (``--templates``) or ours; either way the fix is in the template,
    so the user gets its file and line, not a traceback.
    """
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or "template"
        return InputError(where, f"template syntax error on line {exc.lineno}: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return InputError(str(exc.name or "template"), "template not found")
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".jinja")]
    if frames:
        frame = frames[-1]
        return InputError(
            frame.filename, f"template error on line {frame.lineno}: {type(exc).__name__}: {exc}"
        )
    if isinstance(exc, jinja2.TemplateError):
        return InputError("template", f"{type(exc).__name__}: {exc}")
    return None
