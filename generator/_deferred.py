"""Defer the one slow import jsonschema makes: ``rfc3987_syntax`` (~1 s of grammar building).

With ``jsonschema[format-nongpl]`` installed, ``import jsonschema`` runs
``from rfc3987_syntax import is_valid_syntax``, and that module builds some forty Lark grammars
at import, only to check the ``iri`` and ``iri-reference`` formats, which no RunComfy schema
uses. Until such a check runs, a stand-in module answers that import; its first call (or any
other attribute) imports the real module, which then replaces the stand-in. Checks give the
same answers either way.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

__all__ = ["defer_rfc3987_syntax"]

_NAME = "rfc3987_syntax"


def defer_rfc3987_syntax() -> None:
    if _NAME in sys.modules:
        return
    try:
        found = importlib.util.find_spec(_NAME)
    except (ImportError, ValueError):
        return
    if found is None:
        return
    stand_in = types.ModuleType(_NAME, "Stand-in until an IRI is checked (generator._deferred).")

    def real() -> Any:
        if sys.modules.get(_NAME) is stand_in:
            del sys.modules[_NAME]
        return importlib.import_module(_NAME)

    def is_valid_syntax(term: str, value: str) -> Any:
        return real().is_valid_syntax(term, value)

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):  # the import system probing (``__path__``), not a use
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[_NAME] = stand_in
