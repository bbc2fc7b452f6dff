"""Every size limit on what the tool reads, in one place (docs/security.md, "Limits").

Each limit is far above what any real RunComfy page or schema holds (the largest seed page is
7.5 KB, the largest catalog input schema 2.9 KB, 15 properties, 20 enum values, nesting 2) and
far below what would make generation slow or large. A value past a limit is an
:class:`~generator.errors.InputError` (exit 2) naming the file and the JSON pointer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from generator.errors import InputError

__all__ = [
    "MAX_BASELINE_BYTES",
    "MAX_CONFIG_BYTES",
    "MAX_ENUM_VALUES",
    "MAX_EXAMPLE_BYTES",
    "MAX_INPUT_FILE_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_MINIMUM_INSTANCE_SIZE",
    "MAX_MODEL_FILE_BYTES",
    "MAX_NAMES_FILE_BYTES",
    "MAX_PAGE_BYTES",
    "MAX_PATTERN_CHARS",
    "MAX_PROPERTIES",
    "MAX_RELEASE_MANIFEST_BYTES",
    "MAX_SCHEMA_NESTING",
    "MAX_STRING_CHARS",
    "read_bounded",
]

#: A saved documentation page (``import``, ``lint``, ``diff``).
MAX_PAGE_BYTES = 1024 * 1024
#: A model file ``schemas/<model_id>.json`` (also a ``git:REV:path`` blob).
MAX_MODEL_FILE_BYTES = 1024 * 1024
#: A names file ``<model_id>.names.json``.
MAX_NAMES_FILE_BYTES = 64 * 1024
#: The page's example request, as compact JSON.
MAX_EXAMPLE_BYTES = 64 * 1024
#: A request payload file (``run --input``): what ``serve`` accepts as a request body.
MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024
#: The release manifest of an output folder outside git (every released model's normalized
#: schemas, a few KB each: 128 MiB is thousands of models).
MAX_RELEASE_MANIFEST_BYTES = 128 * 1024 * 1024
#: A lint baseline (``lint --baseline``): one short entry per accepted finding.
MAX_BASELINE_BYTES = 64 * 1024 * 1024
#: A configuration file (``pyproject.toml`` or ``--config``).
MAX_CONFIG_BYTES = 4 * 1024 * 1024
#: Arrays and objects inside one another anywhere in a model file (schema, example, default).
MAX_JSON_DEPTH = 32
#: ``properties``/``items`` levels from a schema's root (``loras[].scale`` is 3): nested models.
MAX_SCHEMA_NESTING = 8
#: Properties of one object schema.
MAX_PROPERTIES = 500
#: Values of one ``enum``.
MAX_ENUM_VALUES = 1000
#: One string anywhere in a schema (a description, a title, an enum value, a default).
MAX_STRING_CHARS = 64 * 1024
#: Characters of one ``pattern``.
MAX_PATTERN_CHARS = 1000
#: The smallest instance a schema allows (``minLength`` characters, ``minItems`` times the
#: items' own minimum, summed over required properties): docs and tests build one.
MAX_MINIMUM_INSTANCE_SIZE = 100_000
#: The largest number a schema may hold: beyond it a number has no float (JSON) value.
MAX_NUMBER = sys.float_info.max


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path``, refusing more than ``limit`` without reading past it.

    ``/dev/zero``, a FIFO or a huge file cannot make the tool read without end. The file is
    opened without waiting: opening a FIFO otherwise waits for a writer that may never come (a
    ``*.json`` FIFO in a schemas folder hung ``generate``); one nobody writes reads as empty,
    one being written (``<(curl ...)``) is read as usual.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(str(path), f"{what} larger than {limit:,} bytes (the limit)")
    return data
