"""Which strings of a result's output are URLs, and which of them this client downloads.

Only ``http`` and ``https`` URLs are listed by ``Result.urls()`` and downloaded by
``Result.save()``: a server's answer never makes the client read a local file (``file:``),
speak another protocol (``ftp:``, ``s3:``) or take inline content for a file (``data:``,
``javascript:``). Any other URL is still part of the answer, so it is never dropped in
silence: each is a warning (``Result.warnings`` and the package's logger, naming its
JSON pointer and scheme), ``Result.unsupported_urls()`` lists them, and ``save()`` refuses to
report a complete save while one exists (unless told to skip them).

A string is a URL when it has a scheme and follows the URL rule of the validator (``is_url``:
``javascript:alert(1)``, ``data:,x``) or spells ``scheme://`` (``ftp://a b``). Text such as
``Note: done`` or ``C:\\out.png`` is not a URL. http(s) URLs are recognised as ``urlsplit``
reads them and kept byte for byte, spaces and all.

Part of the runtime that runcomfy-codegen vendors into every generated package; do not edit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import urlsplit

from ._validation import is_url, pointer_token, shown

__all__ = ["DOWNLOADABLE_SCHEMES", "OutputURL", "output_urls"]

#: The only schemes the client downloads (and ``urls()`` lists).
DOWNLOADABLE_SCHEMES: Final = ("http", "https")


class OutputURL:
    """One URL of an output: where it is (a JSON pointer into the output), as the server
    wrote it, and its scheme (lowercased; None when the URL does not parse).

    A plain class: a dataclass made importing this module take 0.8 ms instead of 0.5 ms.
    """

    __slots__ = ("pointer", "scheme", "url")

    def __init__(self, pointer: str, url: str, scheme: str | None) -> None:
        self.pointer = pointer
        self.url = url
        self.scheme = scheme

    @property
    def downloadable(self) -> bool:
        return self.scheme in DOWNLOADABLE_SCHEMES

    @property
    def kind(self) -> str:
        """``scheme ftp:``, or ``does not parse``."""
        return f"scheme {self.scheme}:" if self.scheme else "does not parse"

    def warning(self) -> str:
        what = f"of scheme {self.scheme}:" if self.scheme else "that does not parse"
        return (
            f"output{self.pointer}: {shown(self.url)} is a URL {what} (not http or https): "
            "urls() does not list it and save() does not download it"
        )


def _url(text: str, pointer: str) -> OutputURL | None:
    try:
        scheme = urlsplit(text).scheme
    except ValueError:  # "http://[x": a host bracket urlsplit cannot read
        return OutputURL(pointer, text, None) if "://" in text else None
    if scheme and (scheme in DOWNLOADABLE_SCHEMES or "://" in text or is_url(text)):
        return OutputURL(pointer, text, scheme)
    return None


def output_urls(value: Any, pointer: str = "") -> Iterator[OutputURL]:
    """Every URL in ``value`` (an output as the server sent it), in document order."""
    if isinstance(value, str):
        found = _url(value, pointer)
        if found is not None:
            yield found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from output_urls(item, f"{pointer}/{index}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from output_urls(item, f"{pointer}/{pointer_token(str(key))}")
