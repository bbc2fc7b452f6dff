"""The formatting step: generated Python in black's layout.

Two ways, each giving modules that a full black pass leaves unchanged:

* :func:`format_python` runs black over the whole module. A module rendered from a template
  the user supplied (``--templates``) takes this way: only black knows its layout.
* :func:`format_long_statements` is for modules of the bundled templates, which are written in
  black's layout already (literals spelled by :func:`~generator.render.templates.py_literal`,
  multi-line constructs as black writes them; :func:`class_header`, :func:`import_from` and
  the renderers lay out the frequent long lines themselves). What is left is a statement
  with schema text in it that may not fit in 100 columns; black formats only the statements
  that are one line longer than that, all of a module's in one call, at their own depth.

Running black over every module cost ~85% of a cold catalog ``generate`` (black parses and
lays out ~3 MB for 124 models); the long statements are ~5% of that text. The test suite
proves the two ways agree: every module of the corpus and of hostile schemas, laid out here,
is unchanged by a full black pass (tests/render/test_layout.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

import black
from black.mode import TargetVersion

from generator.errors import InputError
from generator.render.templates import LINE_LENGTH, width

__all__ = [
    "BLACK_MODE",
    "class_header",
    "fits",
    "format_long_statements",
    "format_python",
    "import_from",
]

BLACK_MODE = black.Mode(
    target_versions={TargetVersion.PY311},
    line_length=LINE_LENGTH,
    string_normalization=True,
    magic_trailing_comma=True,
)
_INDENT = "    "
_KEYWORD_ARGUMENT = re.compile(r" *[A-Za-z_][A-Za-z0-9_]*=(?!=)")
# Each long statement goes to black inside ``if _:`` blocks that put it at its own depth,
# after a marker line that separates it from the next one.
_MARKER = "# runcomfy-codegen: statement"
_OPENER = "if _:"
_FILLER = "pass"
# Fields of a compound statement that are not its header.
_BLOCKS = frozenset({"body", "orelse", "finalbody", "handlers", "decorator_list", "cases"})

_Key = tuple[int, str, str]
#: Statements black has laid out in this process: (depth, kind, text) -> lines. A catalog
#: repeats them (the same keyword argument in four signatures, the same field in many models).
_LAID_OUT: dict[_Key, list[str]] = {}
_MAX_REMEMBERED = 50_000


def format_python(source: str, path: str) -> str:
    """``source`` formatted by black (the whole module)."""
    try:
        return black.format_str(source, mode=BLACK_MODE)
    except black.parsing.InvalidInput as exc:  # a template bug (maybe a --templates one)
        raise InputError(
            path, f"the Python its template rendered does not parse ({exc}); fix the template"
        ) from None


@dataclass(frozen=True)
class _Long:
    """A statement (or a parameter of a signature laid out one per line) to give black."""

    row: int  # 0-based
    depth: int
    #: "simple"; "compound" (gets a body); "elif" (gets an ``if`` before it); "parameter"
    #: (gets a ``def`` around it).
    kind: str
    line: str  # as the template wrote it, indentation included

    @property
    def key(self) -> _Key:
        return self.depth, self.kind, self.line.strip()

    def head(self) -> list[str]:
        """The lines black sees before the statement: blocks that put it at its depth."""
        outer = self.depth - 1 if self.kind == "parameter" else self.depth
        lines = [_INDENT * d + _OPENER for d in range(outer)]
        if self.kind == "elif":
            lines += [_INDENT * self.depth + _OPENER, _INDENT * (self.depth + 1) + _FILLER]
        elif self.kind == "parameter":
            lines.append(_INDENT * outer + "def _(")
        return lines

    def tail(self) -> list[str]:
        """The lines black sees after the statement: a body, or the end of a signature."""
        if self.kind == "parameter":
            return [_INDENT * (self.depth - 1) + "):", _INDENT * self.depth + _FILLER]
        return [] if self.kind == "simple" else [_INDENT * (self.depth + 1) + _FILLER]


def fits(line: str) -> bool:
    """Whether black leaves ``line`` (indentation included) on one line: its width (East
    Asian wide characters count two) is at most the line length."""
    return width(line) <= LINE_LENGTH


def import_from(module: str, names: list[str], depth: int = 0) -> str:
    """``from module import names`` at ``depth``, as black writes it: one line if it fits,
    else one name per line with a trailing comma (black always explodes an import)."""
    indent = _INDENT * depth
    line = f"{indent}from {module} import {', '.join(names)}"
    if fits(line):
        return line
    return "\n".join(
        [f"{indent}from {module} import (", *(f"{indent}    {n}," for n in names), f"{indent})"]
    )


def class_header(name: str, bases: str, depth: int = 0) -> str:
    """``class name(bases):`` at ``depth``, as black writes it: one line if it fits, else the
    bases on a line of their own if they fit there; else one line left to black's pass."""
    indent = _INDENT * depth
    line = f"{indent}class {name}({bases}):"
    if fits(line) or not fits(f"{indent}    {bases}"):
        return line
    return f"{indent}class {name}(\n{indent}    {bases}\n{indent}):"


def _header_end(node: ast.stmt) -> int:
    """The last row of a compound statement's header (its test, targets, bases ...)."""
    end = node.lineno
    for field, value in ast.iter_fields(node):
        if field in _BLOCKS:
            continue
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, ast.AST) and hasattr(child, "end_lineno"):
                end = max(end, child.end_lineno or end)
    return end


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of ``body`` and of the blocks inside it (expressions are not walked)."""
    for node in body:
        yield node
        for field in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(node, field, []))
        for part in [*getattr(node, "handlers", []), *getattr(node, "cases", [])]:
            yield from _statements(part.body)


def _long_statements(source: str, lines: list[str]) -> list[_Long] | None:
    """Every statement (or compound statement's header) written on one line that is too
    long, and every such parameter of a signature laid out one per line; None when one shares
    its line with another (the module is then black's).

    A long line inside a statement that spans lines (a description in the schema literal, a
    docstring) is the template's layout, kept: black splits no string.
    """
    # A line that starts with a string or a comment starts no statement black could split:
    # it is a docstring's, a literal's item, or a string statement (kept as is below); nor
    # does one that starts with ``name=`` (a keyword argument: black spaces an assignment's
    # ``=``). With no other long line, the module needs no parse.
    rows = {
        i + 1
        for i, line in enumerate(lines)
        if not fits(line)
        and not line.lstrip().startswith(('"', "'", "#"))
        and not _KEYWORD_ARGUMENT.match(line)
    }
    if not rows:
        return []
    found: list[_Long] = []
    for node in _statements(ast.parse(source).body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += _long_parameters(node.args, lines, rows)
        if node.lineno not in rows:
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a long string (a docstring) is black's to keep as is
        compound = hasattr(node, "body")
        if (_header_end(node) if compound else node.end_lineno) != node.lineno:
            continue
        line = lines[node.lineno - 1]
        if node.col_offset % len(_INDENT) or line[: node.col_offset].strip():
            return None  # not a statement on a line of its own
        kind = "simple"
        if compound:
            kind = "elif" if line.lstrip().startswith("elif ") else "compound"
        found.append(_Long(node.lineno - 1, node.col_offset // len(_INDENT), kind, line))
    return found


def _long_parameters(arguments: ast.arguments, lines: list[str], rows: set[int]) -> list[_Long]:
    """The parameters, each on a line of its own (``name: annotation = default,``), that are
    too long: an annotation holds schema text (``Literal[...]`` of an enum)."""
    found: list[_Long] = []
    defaults: list[ast.expr | None] = [
        *[None] * (len(arguments.posonlyargs) + len(arguments.args) - len(arguments.defaults)),
        *arguments.defaults,
        *arguments.kw_defaults,
    ]
    parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    for parameter, default in zip(parameters, defaults, strict=True):
        end = default or parameter
        if parameter.lineno not in rows or end.end_lineno != parameter.lineno:
            continue
        line = lines[parameter.lineno - 1]
        if parameter.col_offset % len(_INDENT) or line[: parameter.col_offset].strip():
            continue
        if line.encode()[end.end_col_offset or 0 :] != b",":  # offsets count UTF-8 bytes
            continue
        depth = parameter.col_offset // len(_INDENT)
        found.append(_Long(parameter.lineno - 1, depth, "parameter", line))
    return found


def _wrapped(long: _Long) -> str:
    """The statement at its depth, as black will see it."""
    return "\n".join([*long.head(), long.line, *long.tail()])


def _unwrapped(long: _Long, chunk: list[str]) -> list[str] | None:
    """The statement's lines out of black's answer for :func:`_wrapped`; None if black did
    something else with the wrapping (then the module is formatted whole)."""
    lines = [line for line in chunk if line.strip()]
    head, tail = long.head(), long.tail()
    if lines[: len(head)] != head or lines[len(lines) - len(tail) :] != tail:
        return None
    body = lines[len(head) : len(lines) - len(tail)]
    return body or None


def _lay_out(pending: dict[_Key, _Long]) -> dict[_Key, list[str]] | None:
    """black's layout of every pending statement, in one call (remembered)."""
    keys = list(pending)
    source = "\n".join(f"{_MARKER}\n{_wrapped(pending[key])}" for key in keys) + "\n"
    try:
        answer = black.format_str(source, mode=BLACK_MODE)
    except black.parsing.InvalidInput:
        return None
    chunks = answer.split(_MARKER + "\n")[1:]
    if len(chunks) != len(keys):
        return None
    laid_out = {}
    for key, chunk in zip(keys, chunks, strict=True):
        body = _unwrapped(pending[key], chunk.splitlines())
        if body is None:
            return None
        laid_out[key] = body
    if len(_LAID_OUT) + len(laid_out) > _MAX_REMEMBERED:
        _LAID_OUT.clear()
    _LAID_OUT.update(laid_out)
    return laid_out


def format_long_statements(source: str, path: str) -> str:
    """``source`` (in black's layout but for line length) with each statement that is one
    line too long laid out by black; the whole module by black if that cannot be done."""
    lines = source.splitlines()
    try:
        longs = _long_statements(source, lines)
    except SyntaxError:
        longs = None
    if longs is None:
        return format_python(source, path)
    known = {long.key: _LAID_OUT[long.key] for long in longs if long.key in _LAID_OUT}
    pending = {long.key: long for long in longs if long.key not in known}
    if pending:
        laid_out = _lay_out(pending)
        if laid_out is None:
            return format_python(source, path)
        known.update(laid_out)
    for long in sorted(longs, key=lambda long: -long.row):
        lines[long.row : long.row + 1] = known[long.key]
    return "\n".join(lines) + "\n"
