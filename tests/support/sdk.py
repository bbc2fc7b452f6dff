"""Finding things in a generated package imported by the tests."""

from __future__ import annotations

import importlib
from types import ModuleType


def model_module(sdk: ModuleType, model_id: str) -> ModuleType:
    """The module of ``model_id`` in a generated package."""
    return importlib.import_module(f"{sdk.__name__}.models.{sdk.MODELS[model_id]}")
