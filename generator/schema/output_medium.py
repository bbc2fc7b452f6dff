"""What a model makes (image, video or audio), and the output schema derived from it.

One rule for the two places that need it: ``pull`` derives the output schema of a catalog entry
(the catalog publishes input schemas only) and ``serve`` decides what kind of file a job
returns. docs/pull.md documents the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "MEDIA",
    "derived_output_schema",
    "media_offered",
    "medium_from_categories",
    "medium_from_model_id",
]

#: The media a model can make, in the order a tie is broken.
MEDIA = ("video", "image", "audio")

#: Words of model ids that name what a model makes, when the id has no "<x>-to-<medium>".
_MEDIUM_WORDS = {
    "audio": frozenset({"audio", "music", "song", "speech", "tts", "voice", "sound"}),
    "video": frozenset(
        {"video", "seedance", "transition", "extend", "frame", "animate", "motion", "lipsync"}
    ),
    "image": frozenset({"image", "photo", "edit", "upscale"}),
}


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[/._\s-]+", text.lower()) if word]


def medium_from_categories(categories: Iterable[str]) -> str | None:
    """The medium the catalog's categories name, when they name exactly one.

    A category names its output medium by its last word (``image-to-video``, ``text-to-audio``,
    ``video``), as RunComfy's ComfyUI partner nodes read it; other categories say nothing.
    """
    named = set()
    for category in categories:
        words = _words(category)
        if words and words[-1] in MEDIA:
            named.add(words[-1])
    return named.pop() if len(named) == 1 else None


def medium_from_model_id(model_id: str) -> str | None:
    """The medium a model id names: the word after ``to`` (``image-to-video``), else the first
    medium one of its words names (``music-generation``, ``transition``), else None."""
    words = _words(model_id)
    if "to" in words[:-1]:
        after = words[len(words) - 1 - words[::-1].index("to") + 1]
        if after in MEDIA:
            return after
    for medium, names in _MEDIUM_WORDS.items():
        if any(word in names for word in words):
            return medium
    return None


def media_offered(output_keys: Iterable[str]) -> list[str]:
    """The media an output schema has keys for (``video``, ``images`` ...), in key order."""
    offered: list[str] = []
    for key in output_keys:
        medium = key.lower().removesuffix("s")
        if medium in MEDIA and medium not in offered:
            offered.append(medium)
    return offered


def derived_output_schema(medium: str) -> dict[str, Any]:
    """The documented output shape (``{"output": {...}}``, one URL or a list of URLs) narrowed
    to the one medium the model makes."""
    if medium not in MEDIA:
        raise ValueError(f"not a medium: {medium!r}")
    return {
        "output": {
            "type": "object",
            "properties": {
                medium: {"type": "string", "format": "uri", "description": f"{medium} URL"},
                medium + "s": {
                    "type": "array",
                    "description": f"{medium} URLs",
                    "items": {"type": "string", "format": "uri"},
                },
            },
        }
    }
