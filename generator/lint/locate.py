"""The line a JSON pointer points at in a JSON text (for text output and SARIF regions)."""

from __future__ import annotations

import json

from generator.errors import unescape_pointer_token

__all__ = ["pointer_line"]

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\r\n"


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _child(text: str, pos: int, token: str) -> int | None:
    """Position of member ``token`` of the object or array starting at ``pos``."""
    opening = text[pos]
    pos = _skip(text, pos + 1)
    index = 0
    while pos < len(text) and text[pos] not in "}]":
        if opening == "{":
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _skip(text, _skip(text, pos) + 1)  # past ':'
            found = key == token
        else:
            found = str(index) == token
        if found:
            return pos
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
        index += 1
    return None


def pointer_line(text: str, pointer: str) -> int | None:
    """1-based line of the value at ``pointer``, or None when the text has no such value."""
    try:
        pos: int | None = _skip(text, 0)
        for token in pointer.split("/")[1:] if pointer else []:
            if pos is None or pos >= len(text) or text[pos] not in "{[":
                return None
            pos = _child(text, pos, unescape_pointer_token(token))
    except (ValueError, IndexError):
        return None
    return None if pos is None else text.count("\n", 0, pos) + 1
