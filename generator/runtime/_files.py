"""Writing downloaded files without ever following a link or replacing what is there.

A download goes to a temporary file of a random name, created with ``O_EXCL | O_NOFOLLOW``
beside its destination (a planted ``.part`` symlink cannot redirect it), and is moved into
place only when complete: linked without replacing (``overwrite=False``) or renamed over the
old file (``overwrite=True``; a rename replaces a symlink itself, never its target).
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["output_file_name", "place", "temporary_file"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_PART = 80
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_FLAGS |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _safe(text: str, fallback: str) -> str:
    cleaned = _UNSAFE.sub("_", text).strip("._")[:_MAX_PART].strip("._")
    return cleaned or fallback


def output_file_name(request_id: str, index: int, url: str) -> str:
    """``<request id>-<index>-<the URL's last path segment>``, made safe for any file system.

    Unique per job and output, and predictable: the same result saved twice names the same
    files (which ``save(overwrite=False)`` then refuses to replace).
    """
    original = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return f"{_safe(request_id, 'request')}-{index}-{_safe(original, 'output')}"


def temporary_file(destination: Path) -> tuple[int, Path]:
    """A new, empty file beside ``destination``: its descriptor and path.

    The name is random and created exclusively without following links, so nothing planted
    in the folder (a symlink named like it, another download's file) can be written through.
    """
    while True:
        temp = destination.with_name(f".{destination.name}.{secrets.token_hex(6)}.part")
        try:
            return os.open(temp, _FLAGS, 0o666), temp
        except FileExistsError:  # astronomically unlikely; draw another name
            continue


def place(temp: Path, destination: Path, *, overwrite: bool) -> None:
    """Move the finished ``temp`` file to ``destination``.

    Without ``overwrite`` an existing ``destination`` (file, folder or symlink, even a broken
    one) raises FileExistsError and stays as it was.
    """
    if overwrite:
        os.replace(temp, destination)
        return
    try:
        os.link(temp, destination, follow_symlinks=False)
    except FileExistsError:
        raise FileExistsError(f"{destination} exists; pass overwrite=True to replace it") from None
    except OSError:
        # File systems without hard links: an exclusive create is as safe, only not atomic.
        _copy_exclusive(temp, destination)
    os.unlink(temp)


def _copy_exclusive(source: Path, destination: Path) -> None:
    try:
        fd = os.open(destination, _FLAGS, 0o666)
    except FileExistsError:
        raise FileExistsError(f"{destination} exists; pass overwrite=True to replace it") from None
    with os.fdopen(fd, "wb") as out, source.open("rb") as data:
        while chunk := data.read(1 << 20):
            out.write(chunk)
