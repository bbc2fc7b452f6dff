"""The lint rules, run on the documented (raw) model so that one bad property cannot hide the
findings of the others; normalization runs afterwards only where it can.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from generator.errors import InputError, join_pointer
from generator.lint.findings import Finding, finding
from generator.lint.messages import message_contradiction
from generator.runtime._validation import is_url
from generator.schema.documented import NAMES_SUFFIX, DocumentedModel
from generator.schema.formats import JSON_TYPES, KNOWN_FORMATS, SchemaValidator, format_checker
from generator.schema.ir import MediaKind, NameOrigin, Rule
from generator.schema.names import assign_names, strip_node_prefixes
from generator.schema.normalize import (
    base_type,
    canonical_type,
    infer_media,
    inferred_type,
    normalize,
    prepare,
)
from generator.schema.refs import SchemaReferenceError
from generator.schema.rules import parse_rules

__all__ = ["lint_model"]

_MEDIA = {f"{kind.value}_uri": kind for kind in MediaKind}
_PLURAL_MEDIA = {f"{kind.value}_uris": kind for kind in MediaKind}
_FORMAT_CHECKER = format_checker()
_BOUNDS = (
    ("minimum", "maximum"),
    ("exclusiveMinimum", "exclusiveMaximum"),
    ("minimum", "exclusiveMaximum"),
    ("exclusiveMinimum", "maximum"),
    ("minLength", "maxLength"),
    ("minItems", "maxItems"),
)
_JSON_TYPE_OF = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    return _JSON_TYPE_OF.get(type(value), "unknown")


def _declared(node: dict[str, Any]) -> Any:
    """The node's ``type`` as normalization reads it: each spelling it accepts as its JSON
    type ("float" -> "number", "INT" -> "integer"; unknown names as they are), and without a
    type the one it infers (from the enum or const values, else the default), or None."""
    if "type" not in node:
        return inferred_type(node)[0]
    declared = node.get("type")
    if isinstance(declared, str):
        return canonical_type(declared) or declared
    if isinstance(declared, list):
        return [canonical_type(k) or k if isinstance(k, str) else k for k in declared]
    return declared


def _fits(value: Any, declared: Any) -> bool:
    if not isinstance(declared, str):
        return True
    actual = _json_type(value)
    return actual == declared or (declared == "number" and actual == "integer")


class _ModelLinter:
    def __init__(self, model: DocumentedModel) -> None:
        self.model = model
        self.file = model.file
        self.findings: list[Finding] = []

    def add(self, code: str, message: str, pointer: str, hint: str | None = None) -> None:
        self.findings.append(finding(code, message, self.file, pointer, hint))

    # -- documented form, node by node -------------------------------------------------

    def node(self, node: Any, pointer: str) -> None:
        """Type, format, validations, bounds and enum of one schema node and its children."""
        if not isinstance(node, dict):
            return
        self.type(node, pointer)
        self.format(node, pointer)
        self.bounds(node, pointer)
        self.enum(node, pointer)
        if "validations" in node:
            for parsed in self.rules(node["validations"], join_pointer(pointer, "validations")):
                index, rule = parsed
                problem = message_contradiction(rule)
                if problem:
                    at = join_pointer(pointer, "validations", index, "validation_error")
                    self.add("RC401", problem, at)
        if isinstance(node.get("items"), dict):
            self.node(node["items"], join_pointer(pointer, "items"))
        if isinstance(node.get("properties"), dict):
            for key, sub in node["properties"].items():
                self.node(sub, join_pointer(pointer, "properties", key))

    def type(self, node: dict[str, Any], pointer: str) -> None:
        documented = node.get("type")
        if documented is None:
            inferred, source = inferred_type(node)
            if inferred is not None:
                self.add("RC107", f"no type; read as {inferred!r} from its {source}", pointer)
            return
        spelled = documented if isinstance(documented, list) else [documented]
        for index, name in enumerate(spelled):
            at = join_pointer(pointer, "type", *([index] if isinstance(documented, list) else []))
            canonical = canonical_type(name) if isinstance(name, str) else None
            if name == "float":
                self.add("RC101", '"float" is not a JSON Schema type; read as "number"', at)
            elif canonical is None:
                self.add("RC102", f"unknown type {name!r}", at)
            elif canonical != name:
                self.add("RC108", f"{name!r} is not a JSON Schema type; read as {canonical!r}", at)

    def format(self, node: dict[str, Any], pointer: str) -> None:
        value = node.get("format")
        if not isinstance(value, str):
            return
        at = join_pointer(pointer, "format")
        kind = base_type(_declared(node))
        misplaced = (value in _MEDIA and kind != "string") or (
            value in _PLURAL_MEDIA and kind != "array"
        )
        if misplaced:
            self.add("RC104", f"format {value!r} does not fit type {kind!r}", at)
        elif value not in _MEDIA and value not in _PLURAL_MEDIA and value not in KNOWN_FORMATS:
            self.add("RC103", f"unknown format {value!r}", at)

    def rules(self, validations: Any, pointer: str) -> Iterator[tuple[int, Rule]]:
        if not isinstance(validations, list):
            self.add("RC105", "validations must be a list", pointer)
            return
        for index, entry in enumerate(validations):
            try:
                # One entry at a time, so that one bad entry does not hide the others.
                parsed = parse_rules([entry], "", pointer)
            except InputError as exc:
                # parse_rules numbered the one-entry list from 0; point into the real list.
                inner = (exc.pointer or "").removeprefix(join_pointer(pointer, 0))
                self.add("RC105", exc.message, join_pointer(pointer, index) + inner)
                continue
            yield index, parsed[0]

    def bounds(self, node: dict[str, Any], pointer: str) -> None:
        for low, high in _BOUNDS:
            lo, hi = node.get(low), node.get(high)
            if not (_is_number(lo) and _is_number(hi)):
                continue
            assert isinstance(lo, int | float) and isinstance(hi, int | float)
            strict = low.startswith("exclusive") or high.startswith("exclusive")
            if lo > hi or (strict and lo == hi):
                self.add(
                    "RC202", f"{low} {lo} > {high} {hi}: no value fits", join_pointer(pointer, low)
                )

    def enum(self, node: dict[str, Any], pointer: str) -> None:
        values = node.get("enum")
        if not isinstance(values, list):
            return
        seen: dict[str, int] = {}
        for index, value in enumerate(values):
            # 1 and 1.0 are the same JSON value; 1 and true are not.
            identity = json.dumps([_json_type(value) != "boolean", value], sort_keys=True)
            if isinstance(value, float) and value.is_integer():
                identity = json.dumps([True, int(value)])
            if identity in seen:
                self.add(
                    "RC203",
                    f"enum value {value!r} repeats item {seen[identity]}",
                    join_pointer(pointer, "enum", index),
                )
            else:
                seen[identity] = index
        kinds = {_json_type(v) for v in values}
        declared = _declared(node)
        if isinstance(declared, list) and "null" in declared:
            kinds.discard("null")  # a property that may be null lists null among its values
        if "number" in kinds:
            kinds.discard("integer")  # 1 and 2.5 are both numbers
        misfits = [v for v in values if not _fits(v, _declared(node))]
        at = join_pointer(pointer, "enum")
        if len(kinds) > 1:
            self.add("RC204", f"enum mixes {', '.join(sorted(kinds))} values", at)
        elif misfits:
            self.add(
                "RC204",
                f"enum values {misfits[:3]!r} are not of type {node.get('type')!r}",
                at,
            )

    # -- per input property --------------------------------------------------------------

    def property(self, key: str, prop: dict[str, Any], pointer: str) -> None:
        if not isinstance(prop.get("title"), str) or not prop["title"].strip():
            self.add("RC503", f"property {key!r} has no title", pointer)
        if "default" not in prop or prop["default"] is None:
            return
        checkable = _checkable(prop)
        if checkable is not None:
            validator = SchemaValidator(checkable)  # formats: RC302 says it better
            for err in sorted(validator.iter_errors(prop["default"]), key=lambda e: list(e.path)):
                self.add(
                    "RC201",
                    f"the default fails its property: {err.message}",
                    join_pointer(pointer, "default", *err.path),
                )
        media = _media_kind(key, prop)
        if media is not None:
            default = prop["default"]
            for index, url in enumerate(default if isinstance(default, list) else [default]):
                if isinstance(url, str) and not _is_https_url(url):
                    at = join_pointer(pointer, "default", *([index] if default is not url else []))
                    self.add(
                        "RC302",
                        f"the default of {media.value} input {key!r} is {url!r}, "
                        "not an absolute https URL",
                        at,
                    )

    def names(self, properties: dict[str, Any]) -> None:
        titles = [
            (
                key,
                p.get("title") if isinstance(p, dict) and isinstance(p.get("title"), str) else None,
            )
            for key, p in properties.items()
        ]
        names_file = self.file.removesuffix(".json") + NAMES_SUFFIX
        try:
            named = assign_names(titles, dict(self.model.names), self.file, names_file)
        except InputError as exc:
            self.findings.append(finding("RC001", exc.message, exc.file, exc.pointer or ""))
            return
        taken = {n.python_name: n.wire_key for n in named if not n.deduplicated}
        for n in named:
            pointer = join_pointer("/input_schema/properties", n.wire_key)
            if n.origin is NameOrigin.INVENTED:
                self.add(
                    "RC502",
                    f"no Python name in key {n.wire_key!r}; using {n.python_name!r}",
                    pointer,
                )
            elif n.deduplicated:
                rival = next(
                    (k for name, k in taken.items() if n.python_name.startswith(name)), None
                )
                against = f" (its first choice is taken by {rival!r})" if rival else ""
                self.add(
                    "RC501",
                    f"{n.wire_key!r} is named {n.python_name!r}{against}",
                    pointer,
                )

    # -- whole model -------------------------------------------------------------------

    def run(self) -> list[Finding]:
        # References and absurd values first: the checks below run validators on the
        # documented schema, which must never follow a $ref or chew on NaN or (a+)+.
        try:
            self.model = prepare(self.model)
        except InputError as exc:
            code = "RC106" if isinstance(exc, SchemaReferenceError) else "RC001"
            self.findings.append(finding(code, exc.message, exc.file, exc.pointer or ""))
            return self.findings
        documented = self.model.input_schema
        properties = documented.get("properties")
        required = documented.get("required", [])
        if isinstance(required, list) and isinstance(properties, dict):
            for index, key in enumerate(required):
                if isinstance(key, str) and key not in properties:
                    self.add(
                        "RC205",
                        f"required key {key!r} is not a property",
                        f"/input_schema/required/{index}",
                    )
        if isinstance(properties, dict):
            for key, prop in properties.items():
                pointer = join_pointer("/input_schema/properties", key)
                self.node(prop, pointer)
                if isinstance(prop, dict):
                    self.property(key, prop, pointer)
            self.names(properties)
        self.node(self.model.output_schema.get("output"), "/output_schema/output")
        self.normalized()
        return self.findings

    def normalized(self) -> None:
        input_schema: dict[str, Any] | None
        try:
            input_schema = normalize(self.model).input_schema
        except InputError as exc:
            pointer = exc.pointer or ""
            if not any(
                _related(f.pointer, pointer) for f in self.findings if f.severity == "error"
            ):
                self.findings.append(finding("RC001", exc.message, exc.file, pointer))
            input_schema = _checkable_input(self.model.input_schema)
        if self.model.example is None or input_schema is None:
            return
        validator = SchemaValidator(input_schema, format_checker=_FORMAT_CHECKER)
        for err in sorted(validator.iter_errors(self.model.example), key=lambda e: list(e.path)):
            self.add(
                "RC301",
                f"the example request fails the schema: {err.message}",
                join_pointer("/example", *err.path),
            )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def _is_https_url(url: str) -> bool:
    """The shared URL rule (``is_url``), with an https scheme and a host."""
    parts = urlsplit(url)
    return is_url(url) and parts.scheme == "https" and bool(parts.netloc)


def _media_kind(key: str, prop: dict[str, Any]) -> MediaKind | None:
    fmt = prop.get("format")
    items: dict[str, Any] = prop["items"] if isinstance(prop.get("items"), dict) else {}
    fmt = fmt if isinstance(fmt, str) else items.get("format")
    if isinstance(fmt, str):
        return _MEDIA.get(fmt) or _PLURAL_MEDIA.get(fmt)
    return infer_media(strip_node_prefixes(key))


def _checkable(node: Any) -> dict[str, Any] | None:
    """The documented node as plain JSON Schema (float -> number, media formats -> uri,
    validations dropped), or None when it has no defined meaning."""
    if not isinstance(node, dict):
        return None
    out = copy.deepcopy(node)
    out.pop("validations", None)
    declared = _declared(out)
    if declared is not None:
        kinds = declared if isinstance(declared, list) else [declared]  # [X, "null"] too
        if not all(isinstance(kind, str) and kind in JSON_TYPES for kind in kinds):
            return None
        out["type"] = kinds if isinstance(declared, list) else kinds[0]
    fmt = out.get("format")
    if fmt in _MEDIA:
        out["format"] = "uri"
    elif fmt in _PLURAL_MEDIA:
        del out["format"]
        if isinstance(out.get("items"), dict):
            out["items"]["format"] = "uri"
    if out.get("default", 0) is None:
        del out["default"]
    for child in ("items",):
        if child in out:
            checked = _checkable(out[child])
            if checked is None:
                return None
            out[child] = checked
    try:
        Draft202012Validator.check_schema(out)
    except SchemaError:
        return None
    return out


def _checkable_input(documented: dict[str, Any]) -> dict[str, Any] | None:
    """A stand-in input schema for the example check when normalization refuses the model:
    the properties that have a meaning, unknown keys still refused."""
    properties = documented.get("properties")
    if not isinstance(properties, dict):
        return None
    checked = {key: _checkable(prop) for key, prop in properties.items()}
    required = documented.get("required")
    return {
        "type": "object",
        "properties": {k: (v if v is not None else {}) for k, v in checked.items()},
        "required": [
            r for r in (required if isinstance(required, list) else []) if r in properties
        ],
        "additionalProperties": False,
    }


def lint_model(model: DocumentedModel) -> list[Finding]:
    """Every finding for one documented model, in document order within each rule group."""
    return _ModelLinter(model).run()
