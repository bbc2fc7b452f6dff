"""Names of generated modules, classes and client attributes, derived from model ids."""

from __future__ import annotations

import keyword
import re

from generator.runtime._client import AsyncClientBase, ClientBase

__all__ = ["class_prefix", "module_name"]

#: What ``RunComfy``/``AsyncRunComfy`` already have (``base_url``, ``close`` ...): a model
#: whose id spells one of them (``base/url``) must not replace it.
_CLIENT_ATTRIBUTES = frozenset(dir(ClientBase)) | frozenset(dir(AsyncClientBase))


def module_name(model_id: str) -> str:
    """``owner/model-1.0/image-to-video`` -> ``owner_model_1_0_image_to_video``.

    Also the attribute of the client-wide object (``RunComfy().<module_name>``).
    """
    name = re.sub(r"[^a-z0-9]+", "_", model_id.lower()).strip("_")
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = "m_" + name
    if name in _CLIENT_ATTRIBUTES:
        name += "_model"
    return name


def class_prefix(model_id: str) -> str:
    """``bytedance/dreamina-3-0/pro/image-to-video`` -> ``BytedanceDreamina30ProImageToVideo``."""
    words = re.findall(r"[A-Za-z0-9]+", model_id)
    name = "".join(w[:1].upper() + w[1:] for w in words)
    return name if name and not name[0].isdigit() else "M" + name
