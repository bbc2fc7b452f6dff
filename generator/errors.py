"""Errors that name the file and the JSON pointer of the problem."""

from __future__ import annotations

__all__ = [
    "InputError",
    "escape_pointer_token",
    "join_pointer",
    "one_line",
    "unescape_pointer_token",
]


def one_line(text: str) -> str:
    """``text`` as one printable line: runs of white space become one space, and control
    characters (a page's ``\\x1b[2J`` terminal escape) are shown escaped, never sent to the
    terminal."""
    collapsed = " ".join(text.split())
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in collapsed)


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token as RFC 6901 requires."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    """The key or index an RFC 6901 reference token names (``~1`` before ``~0``, as required)."""
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    return pointer + "".join("/" + escape_pointer_token(t) for t in tokens)


class InputError(Exception):
    """A documented page or schema that cannot be used as it is.

    The CLI prints ``str(error)`` as one line and exits with status 2.
    """

    def __init__(self, file: str, message: str, pointer: str | None = None) -> None:
        self.file = file
        self.pointer = pointer
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.pointer is None else f"{self.file}#{self.pointer}"
        # One line, whatever the schema text held.
        return one_line(f"{where}: {self.message}")
