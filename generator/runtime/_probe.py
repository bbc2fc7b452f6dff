"""``check_files``: learn just enough of each input file to check the documented file rules.

For every http(s) URL in a payload: a ``HEAD`` for its size, then a ranged ``GET`` of its
first bytes, whose image header ``imagesize`` reads for width and height (a well-kept,
dependency-free reader of PNG, JPEG, GIF, WebP, AVIF/HEIC and more headers). Input files live
on the caller's or a storage host: no Authorization header goes there. A file that cannot be
probed is left out, so its rules stay "unchecked" for the server to judge, never failed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._package import logger
from ._types import FileInfo
from ._validation import header_info

__all__ = ["HEADER_BYTES", "afile_info", "file_info", "input_urls", "note_unchecked_once"]

#: Enough for the dimensions of every format imagesize reads (JPEG's SOF can sit after EXIF).
HEADER_BYTES = 64 * 1024
_PROBE_TIMEOUT = httpx.Timeout(10.0)
_noted = False


def note_unchecked_once(model_id: str, count: int) -> None:
    """Say once per process that file rules were left to the server (not on every submit)."""
    global _noted
    if _noted:
        return
    _noted = True
    logger.warning(
        "%s: %d file rule(s) (size, pixels, aspect ratio) not checked locally; the server "
        "checks them. Pass check_files=True to check them before submitting (this note is "
        "shown once per process)",
        model_id,
        count,
    )


def input_urls(payload: Mapping[str, Any]) -> list[str]:
    """Every distinct http(s) URL among the payload's values (and list items)."""

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
            yield value
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    return list(dict.fromkeys(url for value in payload.values() for url in walk(value)))


def _size(response: httpx.Response) -> int | None:
    if not response.is_success:
        return None
    declared = response.headers.get("content-length", "")
    return int(declared) if declared.isdigit() else None


def _range_size(response: httpx.Response) -> int | None:
    """The whole file's size from ``Content-Range: bytes 0-65535/123456``."""
    total = response.headers.get("content-range", "").rpartition("/")[2]
    return int(total) if total.isdigit() else None


def _whole_size(response: httpx.Response) -> int | None:
    """The file's size from a ranged GET: partial (206) or the whole file (200)."""
    return _range_size(response) if response.status_code == 206 else _size(response)


def file_info(client: httpx.Client, url: str) -> FileInfo | None:
    """What ``HEAD`` and the first bytes tell of ``url``'s file (None: nothing usable)."""
    try:
        size = _size(client.head(url, timeout=_PROBE_TIMEOUT, follow_redirects=True))
        with client.stream(
            "GET",
            url,
            headers={"Range": f"bytes=0-{HEADER_BYTES - 1}"},
            timeout=_PROBE_TIMEOUT,
            follow_redirects=True,
        ) as response:
            head = b""
            if response.is_success:
                for chunk in response.iter_bytes():
                    head += chunk
                    if len(head) >= HEADER_BYTES:
                        break
            size = size if size is not None else _whole_size(response)
    except httpx.HTTPError as exc:
        logger.info("check_files: %s not probed (%s)", url, type(exc).__name__)
        return None
    return header_info(size, head[:HEADER_BYTES])


async def afile_info(client: httpx.AsyncClient, url: str) -> FileInfo | None:
    """Async :func:`file_info`."""
    try:
        size = _size(await client.head(url, timeout=_PROBE_TIMEOUT, follow_redirects=True))
        async with client.stream(
            "GET",
            url,
            headers={"Range": f"bytes=0-{HEADER_BYTES - 1}"},
            timeout=_PROBE_TIMEOUT,
            follow_redirects=True,
        ) as response:
            head = b""
            if response.is_success:
                async for chunk in response.aiter_bytes():
                    head += chunk
                    if len(head) >= HEADER_BYTES:
                        break
            size = size if size is not None else _whole_size(response)
    except httpx.HTTPError as exc:
        logger.info("check_files: %s not probed (%s)", url, type(exc).__name__)
        return None
    return header_info(size, head[:HEADER_BYTES])
