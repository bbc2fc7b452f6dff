"""Docstring literals: any text reads back exactly, and the model's docs reach help()."""

from __future__ import annotations

import ast

import pytest

from generator.render.python.docstrings import docstring_source

TEXTS = [
    "plain",
    'ends with a quote"',
    'three """ quotes and four """" and two ""',
    "back\\slash at the end\\",
    "\\N{BULLET} is not an escape here, nor \\x41 nor \\u0041",
    "NUL \x00 bell \x07 escape \x1b delete \x7f",
    "line\u2028separator, paragraph\u2029separator, next-line\x85, bidi \u202e, bom \ufeff",
    "tab\tand carriage\rreturn",
    "emoji \U0001f600 and CJK 単一画像 and German ß",
    "first\nsecond\n\n  indented third",
]


@pytest.mark.parametrize("text", TEXTS)
def test_docstring_literal_reads_back_exactly(text: str) -> None:
    source = "def f():\n" + docstring_source(text, 4) + "\n"
    tree = ast.parse(source)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    doc = ast.get_docstring(function, clean=False)
    assert doc is not None
    expected = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    assert doc.replace("\n    ", "\n").removesuffix("\n") == expected
    # Nothing of the text became code: the function body is the docstring alone.
    assert len(function.body) == 1
    # No raw character that a reader, an editor or black would treat as a line break.
    assert not any(char in source for char in "\u2028\u2029\x85\x00\r\x0b\x0c")
