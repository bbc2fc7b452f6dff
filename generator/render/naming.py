"""Names of generated modules, classes and client attributes, derived from model ids."""

from __future__ import annotations

import keyword
import re

__all__ = ["CLIENT_ATTRIBUTES", "class_prefix", "module_name"]


#: The public attributes ``RunComfy``/``AsyncRunComfy`` already have: a model whose id spells
#: one of them (``base/url``) must not replace it. Written out rather than read from the
#: runtime, whose import (httpx, pydantic) an up-to-date ``generate --check`` must not pay;
#: tests/render/test_naming.py checks it against the runtime's classes. (Private and dunder
#: names cannot collide: module names never start with ``_``.)
CLIENT_ATTRIBUTES = frozenset({"aclose", "base_url", "close", "model"})


def module_name(model_id: str) -> str:
    """``owner/model-1.0/image-to-video`` -> ``owner_model_1_0_image_to_video``.

    Also the attribute of the client-wide object (``RunComfy().<module_name>``).
    """
    name = re.sub(r"[^a-z0-9]+", "_", model_id.lower()).strip("_")
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = "m_" + name
    if name in CLIENT_ATTRIBUTES:
        name += "_model"
    return name


def class_prefix(model_id: str) -> str:
    """``bytedance/dreamina-3-0/pro/image-to-video`` -> ``BytedanceDreamina30ProImageToVideo``."""
    words = re.findall(r"[A-Za-z0-9]+", model_id)
    name = "".join(w[:1].upper() + w[1:] for w in words)
    return name if name and not name[0].isdigit() else "M" + name
