"""Escaping for Markdown (GitHub-flavoured) and for single-quoted shell arguments.

Schema text (titles, descriptions, enum values, defaults, messages) must show as written and
never become markup: no table cell split by ``|``, no HTML from ``<script>``, no code span or
fence closed early by a backtick inside it.
"""

from __future__ import annotations

import re
from typing import Any

import jinja2

__all__ = ["install_filters", "md", "md_code", "md_fence", "sh_quote"]

#: ASCII punctuation that may start or end Markdown syntax; CommonMark lets a backslash make
#: any of them literal.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&!{}])")
_NEWLINES = re.compile(r"\r\n|\r|\n")
#: What makes a block (list item, heading underline) when it starts the text.
_BLOCK_START = re.compile(r"^(\s*\d*)([-+=.)])")
_BACKTICK_RUN = re.compile(r"`+")
#: Characters that change how the text around them reads but are not seen themselves: bidi
#: overrides and isolates (a "Trojan Source" key reads backwards), marks, and C0/C1 controls
#: other than tab and line ends. Shown as ``U+202E``, never passed through.
_UNSEEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _shown(text: str) -> str:
    return _UNSEEN.sub(lambda m: f"U+{ord(m.group()):04X}", text)


def md(value: Any) -> str:
    """Inline Markdown text showing ``value`` literally; safe in a table cell.

    Newlines become ``<br>`` (the only line break a table cell can hold).
    """
    escaped = _SPECIAL.sub(r"\\\1", _shown(str(value)))
    escaped = _BLOCK_START.sub(_escape_block_start, escaped)
    return _NEWLINES.sub("<br>", escaped)


def _escape_block_start(match: re.Match[str]) -> str:
    """``- x`` -> ``\\- x``, ``1. x`` -> ``1\\. x``: literal text, not a list or heading."""
    return match.group(1) + "\\" + match.group(2)


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)


def md_code(value: Any) -> str:
    """An inline code span showing ``value`` literally, for a table cell or running text.

    The delimiter is one backtick longer than any run inside; padding spaces keep a leading or
    trailing backtick from merging with it. A table cell ends at ``|`` even inside code, so
    GFM's ``\\|`` is used (GitHub shows it as ``|``); a newline cannot be in a cell at all.
    """
    text = _shown(_NEWLINES.sub(" ", str(value))).replace("|", "\\|")
    if not text.strip():
        return f"`{text or ' '}`"  # a code span of spaces only is kept as it is
    fence = "`" * (_longest_backtick_run(text) + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.strip()):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def md_fence(*texts: str) -> str:
    """A backtick fence for a code block holding ``texts``: longer than any run inside."""
    return "`" * max(3, *(_longest_backtick_run(t) + 1 for t in texts))


def sh_quote(value: Any) -> str:
    """One single-quoted shell word: ``'`` inside becomes ``'\\''``; nothing else is special."""
    return "'" + str(value).replace("'", "'\\''") + "'"


def install_filters(env: jinja2.Environment) -> None:
    """Register ``md``, ``md_code``, ``md_fence`` and ``sh`` on ``env``."""
    env.filters["md"] = md
    env.filters["md_code"] = md_code
    env.filters["md_fence"] = md_fence
    env.filters["sh"] = sh_quote
