"""``$ref`` inside one documented schema, inlined; every other reference refused.

A documented schema is one document: its ``$ref`` may only be a JSON pointer into that same
document (``#/$defs/lora``, ``#/properties/image``). Such a reference is replaced by a copy of
its target, and ``$defs``/``definitions`` are dropped, so nothing downstream
(datamodel-code-generator, jsonschema) ever sees a ``$ref``. Anything else that could name
another document, a file or a URL (``$ref`` to ``other.json``, ``/etc/passwd``,
``file://...``, ``https://...``; ``$id``, ``$anchor``, ``$dynamicRef`` ...) is an
:class:`InputError` at its pointer: nothing a schema says is ever read.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import unquote

from generator.errors import InputError, join_pointer

__all__ = ["REFERENCE_KEYWORDS", "SchemaReferenceError", "inline_refs", "is_local_ref"]

#: Keywords that could make a validator or code generator look at another document.
REFERENCE_KEYWORDS = (
    "$id",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$schema",
    "$vocabulary",
)
_CONTAINERS = ("$defs", "definitions")
#: Keywords whose value beside a ``$ref`` may differ from the target's: they describe, they
#: do not constrain.
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly"}
)
#: Keywords whose value is data, never a schema (a default may well hold a "$ref" key).
_DATA = frozenset({"enum", "const", "default", "examples", "required", "validations"})
#: Keywords whose value maps names to subschemas (the names are not keywords).
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas", *_CONTAINERS})
#: Schema nodes a document may grow to by inlining (``a`` -> two ``b`` -> four ``c`` ...).
_MAX_INLINED_NODES = 100_000
#: Levels a document may grow to by inlining (a chain of $refs, each inside the last).
_MAX_INLINED_DEPTH = 64


class SchemaReferenceError(InputError):
    """A reference that is refused: to another document, recursive, or pointing at nothing
    (lint reports it as RC106)."""


def is_local_ref(value: object) -> bool:
    """A ``$ref`` that points into the same document: ``#`` or ``#/...``."""
    return isinstance(value, str) and (value == "#" or value.startswith("#/"))


class _Inliner:
    def __init__(self, root: Any, file: str, base: str) -> None:
        self.root = root
        self.file = file
        self.base = base
        self.budget = _MAX_INLINED_NODES
        self.depth = 0

    def error(self, message: str, pointer: str) -> InputError:
        return SchemaReferenceError(self.file, message, self.base + pointer)

    def target(self, ref: str, at: str) -> tuple[Any, str]:
        """The node ``ref`` names, and its pointer in the document."""
        node = self.root
        pointer = ""
        for raw in unquote(ref[1:]).split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            pointer = join_pointer(pointer, token)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise self.error(f"$ref {ref!r} points at nothing in this schema", at)
        return node, pointer

    def walk(self, node: Any, pointer: str, resolving: tuple[str, ...]) -> Any:
        """Inline the refs of one schema node (and of the subschemas it holds)."""
        self.depth += 1
        try:
            if self.depth > _MAX_INLINED_DEPTH:
                raise self.error(
                    f"$ref expansion nests deeper than {_MAX_INLINED_DEPTH} levels", pointer
                )
            return self.walk_node(node, pointer, resolving)
        finally:
            self.depth -= 1

    def walk_node(self, node: Any, pointer: str, resolving: tuple[str, ...]) -> Any:
        if isinstance(node, list):  # prefixItems, allOf, anyOf ...
            return [self.walk(v, join_pointer(pointer, i), resolving) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        self.budget -= 1
        if self.budget < 0:
            raise self.error(
                f"$ref expansion makes the schema larger than {_MAX_INLINED_NODES:,} nodes",
                pointer,
            )
        for keyword in REFERENCE_KEYWORDS:
            if keyword in node and pointer:
                raise self.error(
                    f"{keyword} is not supported inside a schema (it could name another "
                    "document); only '#/...' $refs into the same schema are resolved",
                    join_pointer(pointer, keyword),
                )
        if "$ref" in node:
            return self.inline(node, pointer, resolving)
        return {
            key: self.value(key, value, join_pointer(pointer, key), resolving)
            for key, value in node.items()
            if key not in _CONTAINERS
        }

    def value(self, key: str, value: Any, pointer: str, resolving: tuple[str, ...]) -> Any:
        """A keyword's value: data stays data, subschemas (and maps of them) are walked."""
        if key in _DATA:
            return copy.deepcopy(value)
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            return {
                name: self.walk(sub, join_pointer(pointer, name), resolving)
                for name, sub in value.items()
            }
        return self.walk(value, pointer, resolving)

    def inline(self, node: dict[str, Any], pointer: str, resolving: tuple[str, ...]) -> Any:
        ref = node["$ref"]
        at = join_pointer(pointer, "$ref")
        if not is_local_ref(ref):
            raise self.error(
                f"$ref {ref!r} points outside this schema; only '#/...' pointers into the same "
                "schema are resolved (nothing is read from files or URLs)",
                at,
            )
        target, target_pointer = self.target(ref, at)
        if (
            target_pointer in resolving
            or target_pointer == ""
            or pointer.startswith(target_pointer + "/")
        ):
            raise self.error(f"$ref {ref!r} is recursive (a schema that contains itself)", at)
        if not isinstance(target, dict):
            raise self.error(f"$ref {ref!r} does not point at a schema object", at)
        resolved = self.walk(target, target_pointer, (*resolving, target_pointer))
        merged = copy.deepcopy(resolved)
        for key, value in node.items():
            if key == "$ref" or key in _CONTAINERS:
                continue
            value = self.value(key, value, join_pointer(pointer, key), resolving)
            if key in merged and merged[key] != value and key not in _ANNOTATIONS:
                raise self.error(
                    f"{key!r} beside $ref {ref!r} differs from the target's; say it once",
                    join_pointer(pointer, key),
                )
            merged[key] = value
        return merged


def inline_refs(schema: dict[str, Any], file: str, base: str) -> dict[str, Any]:
    """``schema`` (documented at ``base``, e.g. ``/input_schema``) with every local ``$ref``
    replaced by its target and ``$defs``/``definitions`` dropped."""
    inliner = _Inliner(schema, file, base)
    # The root's own $schema/$id are the page's business and never followed (normalization
    # writes its own); below the root they are refused.
    root = {k: v for k, v in schema.items() if k not in REFERENCE_KEYWORDS}
    result = inliner.walk(root, "", ())
    assert isinstance(result, dict)
    return result
