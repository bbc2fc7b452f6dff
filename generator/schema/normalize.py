"""Documented RunComfy schemas -> JSON Schema draft 2020-12 and the typed IR.

Every quirk of the documented form has one meaning here (README "Normalization"):

* ``"type": "float"`` is ``"number"``, and so are the other common spellings of a JSON type
  (``int``, ``bool``, ``str``, ``double``, any letter case: ComfyUI writes ``INT``, ``FLOAT``,
  ``STRING``, ``BOOLEAN``); any other non-JSON-Schema type is an error. A property without a
  type takes the one type of its ``enum``/``const`` values, else of its ``default``, else the
  one its keywords apply to (``items``: array, ``maxLength``: string).
* ``validations`` become typed rules under ``x-runcomfy-validations`` (on the items of arrays).
* ``image_uri``/``video_uri``/``audio_uri`` (and the plural ``*_uris`` on arrays) become
  ``"format": "uri"`` plus ``contentMediaType`` (``image/*`` ...), on the items for arrays.
* ``"default": null`` means optional with no default; it never makes a field nullable.
* Empty descriptions are dropped; the page's (localized) schema title is replaced.
* The input object gets ``additionalProperties: false``: an unknown request key is a typo.
* ``{"output": {...}}`` becomes the object schema of the result's ``output``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from generator.errors import InputError, join_pointer
from generator.schema.documented import DocumentedModel
from generator.schema.formats import JSON_TYPES, KNOWN_FORMATS, SchemaValidator, format_checker
from generator.schema.guard import check_example_size, check_schema_shape, check_values
from generator.schema.ir import (
    UNCHECKABLE_KEYWORDS,
    Diagnostic,
    FieldSpec,
    MediaKind,
    ModelSpec,
    OutputFieldSpec,
    Rule,
)
from generator.schema.names import NamedKey, assign_names, strip_node_prefixes
from generator.schema.refs import inline_refs
from generator.schema.rules import VALIDATIONS_KEYWORD, parse_rules

__all__ = [
    "DIALECT",
    "base_type",
    "canonical_type",
    "field_spec",
    "infer_media",
    "inferred_type",
    "non_null_type",
    "normalize",
    "output_field_spec",
    "prepare",
    "schema_id",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Spellings of JSON types seen in model schemas, lower-cased (ComfyUI's INT, FLOAT, STRING,
#: BOOLEAN; Python's int, bool, str): each means one JSON type.
_TYPE_ALIASES = {
    "float": "number",
    "double": "number",
    "int": "integer",
    "bool": "boolean",
    "str": "string",
}
_MEDIA_FORMATS = {f"{kind.value}_uri": kind for kind in MediaKind}
_PLURAL_MEDIA_FORMATS = {f"{kind.value}_uris": kind for kind in MediaKind}
_FORMAT_CHECKER = format_checker()
#: Keywords that shape or bound one kind of value, and the types they apply to. JSON Schema
#: ignores them on other types; code generators do not (``maxItems`` on a string became a
#: length limit, ``items`` on a number a list), so a misplaced one is refused.
_KEYWORD_TYPES = {
    "items": {"array"},
    "prefixItems": {"array"},
    "minItems": {"array"},
    "maxItems": {"array"},
    "uniqueItems": {"array"},
    "properties": {"object"},
    "additionalProperties": {"object"},
    "minProperties": {"object"},
    "maxProperties": {"object"},
    "minLength": {"string"},
    "maxLength": {"string"},
    "pattern": {"string"},
    "minimum": {"integer", "number"},
    "maximum": {"integer", "number"},
    "exclusiveMinimum": {"integer", "number"},
    "exclusiveMaximum": {"integer", "number"},
    "multipleOf": {"integer", "number"},
}


_MEDIA_WORDS = {
    "image": MediaKind.IMAGE,
    "images": MediaKind.IMAGE,
    "video": MediaKind.VIDEO,
    "videos": MediaKind.VIDEO,
    "audio": MediaKind.AUDIO,
    "audios": MediaKind.AUDIO,
}
_URL_WORDS = {"url", "urls", "uri", "uris"}


def infer_media(stripped_key: str) -> MediaKind | None:
    """The media kind a property's name says, for pages that document no format.

    ``image``, ``video_url``, ``reference_images``, ``first_frame_image``: the last word (or
    the word before a trailing ``url``/``uri``) names the medium. ``image_prompt`` does not.
    """
    words = stripped_key.split("_")
    if len(words) > 1 and words[-1] in _URL_WORDS:
        words = words[:-1]
    return _MEDIA_WORDS.get(words[-1]) if words else None


def type_of_values(node: dict[str, Any]) -> str | list[str] | None:
    """The one JSON type of every ``enum`` (or ``const``) value; None when there is none.

    Pages sometimes list a choice's values without a type: ``{"enum": ["fast", "slow"]}``.
    Integers and floats together are ``number``; with ``null`` among them the type is
    ``[X, "null"]``; any other mix has no single type.
    """
    values = node.get("enum") if "enum" in node else [node["const"]] if "const" in node else None
    if not isinstance(values, list) or not values:
        return None
    kinds = set()
    for value in values:
        if value is None:
            kinds.add("null")
        elif isinstance(value, bool):
            kinds.add("boolean")
        elif isinstance(value, int):
            kinds.add("integer")
        elif isinstance(value, float):
            kinds.add("number")
        elif isinstance(value, str):
            kinds.add("string")
        else:
            return None  # arrays or objects: no type to give the property
    nullable = "null" in kinds
    kinds.discard("null")
    if kinds and kinds <= {"integer", "number"}:
        kinds = {"number" if "number" in kinds else "integer"}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    return [kind, "null"] if nullable else kind


def type_of_default(node: dict[str, Any]) -> str | None:
    """The JSON type of a property's ``default``; None without one (or a ``null`` one).

    Pages sometimes leave the type out of a setting that has a default: ``{"default": 42}``.
    An integer default with a fractional bound or step (``"maximum": 2.5``) is a ``number``:
    the setting takes fractions.
    """
    value = node.get("default")
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        numbers = [node.get(k) for k in _NUMBER_KEYWORDS]
        fractional = any(isinstance(n, float) and not n.is_integer() for n in numbers)
        return "number" if fractional else "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else None


_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def type_of_keywords(node: dict[str, Any]) -> str | None:
    """The one type an untyped property's keywords apply to (``items``: ``array``,
    ``maxLength``: ``string``, ``minimum``: ``number``, ``image_uri``: ``string``); None when
    there are none, or they apply to different types."""
    kinds: set[str] | None = None
    fmt = node.get("format")
    if isinstance(fmt, str) and (fmt in _MEDIA_FORMATS or fmt in _PLURAL_MEDIA_FORMATS):
        kinds = {"string"} if fmt in _MEDIA_FORMATS else {"array"}
    for keyword, applies_to in _KEYWORD_TYPES.items():
        if keyword in node:
            kinds = set(applies_to) if kinds is None else kinds & applies_to
    if not kinds:
        return None
    if kinds == {"integer", "number"}:
        return "number"
    return next(iter(kinds)) if len(kinds) == 1 else None


def inferred_type(node: dict[str, Any]) -> tuple[str | list[str] | None, str]:
    """The type of an untyped property and what it was read from (``"values"``,
    ``"default"`` or ``"keywords"``): the one type of its enum or const values if it has
    them, else of its default, else the one its keywords apply to. The type is None when
    there is nothing of one type to read. Normalization and lint both read it here."""
    if "enum" in node or "const" in node:
        return type_of_values(node), "values"
    by_default = type_of_default(node)
    if by_default is not None:
        return by_default, "default"
    return type_of_keywords(node), "keywords"


_INFERRED_FROM = {
    "values": "the type of every enum (or const) value",
    "default": "the type of its default",
    "keywords": "the type its keywords (or media format) apply to",
}


def canonical_type(name: str) -> str | None:
    """The JSON type ``name`` spells (``"number"`` for ``"float"`` or ``"FLOAT"``); None when
    it spells none."""
    lowered = name.lower()
    canonical = _TYPE_ALIASES.get(lowered, lowered)
    return canonical if canonical in JSON_TYPES else None


def schema_id(model_id: str, part: str) -> str:
    return f"urn:runcomfy:model:{model_id}:{part}"


#: Normalized schemas (as sorted JSON) that passed the metaschema check in this process.
_VALID_SCHEMAS: set[str] = set()
_MAX_REMEMBERED = 10_000


class _Normalizer:
    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def error(self, message: str, pointer: str) -> InputError:
        return InputError(self.file, message, pointer)

    def note(self, code: str, message: str, pointer: str) -> None:
        self.diagnostics.append(Diagnostic(pointer=pointer, message=message, code=code))

    def json_type(self, node: dict[str, Any], pointer: str) -> str | list[str]:
        documented = node.get("type")
        if documented is None:
            inferred, source = inferred_type(node)
            if inferred is None:
                raise self.error(
                    "property has no type, and no enum, const, default or keywords of one "
                    "type to read one from",
                    pointer,
                )
            self.note(
                "type-inferred", f"no type given: {inferred!r}, {_INFERRED_FROM[source]}", pointer
            )
            return inferred
        spelled = documented if isinstance(documented, list) else [documented]
        result: list[str] = []
        for index, name in enumerate(spelled):
            at = (
                join_pointer(pointer, "type", index)
                if isinstance(documented, list)
                else (join_pointer(pointer, "type"))
            )
            if not isinstance(name, str):
                raise self.error(f"type must be a string, not {name!r}", at)
            canonical = canonical_type(name)
            if canonical is None:
                raise self.error(
                    f"unknown type {name!r} (JSON Schema types: {', '.join(sorted(JSON_TYPES))}; "
                    "'float', 'int', 'bool', 'str' and other letter cases are read as them)",
                    at,
                )
            result.append(canonical)
        return result if isinstance(documented, list) else result[0]

    def schema(
        self, node: Any, pointer: str
    ) -> tuple[dict[str, Any], MediaKind | None, tuple[Rule, ...]]:
        """Normalize one property (or items) schema; return it with its media kind and rules."""
        if not isinstance(node, dict):
            raise self.error("a property schema must be an object", pointer)
        node = _fold_nullable_any_of(node)
        self.refuse_uncheckable(node, pointer)
        out: dict[str, Any] = {}
        media: MediaKind | None = None
        rules: tuple[Rule, ...] = ()
        json_type = self.json_type(node, pointer)
        types = json_type if isinstance(json_type, list) else [json_type]
        # What media formats and file rules apply to: X of ["X", "null"] (null carries no file).
        base = base_type(json_type)
        for keyword, applies_to in _KEYWORD_TYPES.items():
            if keyword in node and applies_to.isdisjoint(types):
                raise self.error(
                    f"{keyword!r} on a property of type {json_type!r} has no meaning "
                    f"(it applies to {' and '.join(sorted(applies_to))})",
                    join_pointer(pointer, keyword),
                )
        if "type" not in node:
            out["type"] = json_type  # inferred from the enum's values
        for key, value in node.items():
            at = join_pointer(pointer, key)
            if key == "type":
                out["type"] = json_type
            elif key == "description" and value == "":
                continue  # documented pages carry "" for "no description"
            elif key == "default" and value is None:
                continue  # null default: optional, no default; not "nullable"
            elif key == "format":
                media = self.format(value, base, out, at)
            elif key == "validations":
                rules = parse_rules(value, self.file, at)
            elif key == "items":
                items, item_media, item_rules = self.schema(value, at)
                media = media or item_media
                rules = rules + item_rules
                out["items"] = items
            elif key == "properties" and isinstance(value, dict):
                out["properties"] = {
                    name: self.schema(sub, join_pointer(at, name))[0] for name, sub in value.items()
                }
            else:
                out[key] = copy.deepcopy(value)
        if base != json_type and "const" in out and out["const"] is not None and "enum" not in out:
            out["enum"] = [out.pop("const")]  # gains null below, as a const cannot
        if base != json_type and isinstance(out.get("enum"), list) and None not in out["enum"]:
            # [X, "null"] allows null: an enum (or const) without it would reject the null the
            # type (and the Python type, the docs, diff's became-nullable) allow
            out["enum"] = [*out["enum"], None]
        if base == "array" and media is not None:
            items = out.setdefault("items", {"type": "string"})
            items.setdefault("format", "uri")
            items.setdefault("contentMediaType", media.content_media_type)
        if rules:
            target = out.setdefault("items", {"type": "string"}) if base == "array" else out
            target[VALIDATIONS_KEYWORD] = [rule.to_json() for rule in rules]
            target.pop("validations", None)
        return out, media, rules

    def refuse_uncheckable(self, node: dict[str, Any], pointer: str) -> None:
        """Keywords the generated validator cannot check are refused, never kept unchecked
        (``validate()`` would pass what the schema refuses); "X or null" was folded before."""
        for keyword in node:
            if keyword in ("anyOf", "oneOf"):
                message = (
                    f'{keyword} is supported only as {keyword} [{{"type": X}}, {{"type": "null"}}]'
                    " with no type beside it: the generated validator cannot check another union"
                )
            elif keyword in UNCHECKABLE_KEYWORDS:
                message = f"{keyword} is not supported: the generated validator cannot check it"
            elif keyword == "additionalProperties" and isinstance(node[keyword], dict):
                message = "must be true or false: the generated validator cannot check a schema"
            else:
                continue
            raise self.error(message, join_pointer(pointer, keyword))

    def format(
        self, value: Any, json_type: str | list[str], out: dict[str, Any], pointer: str
    ) -> MediaKind | None:
        if not isinstance(value, str):
            raise self.error(f"format must be a string, not {value!r}", pointer)
        if value in _MEDIA_FORMATS and json_type == "string":
            out["format"] = "uri"
            out["contentMediaType"] = _MEDIA_FORMATS[value].content_media_type
            return _MEDIA_FORMATS[value]
        if value in _PLURAL_MEDIA_FORMATS and json_type == "array":
            return _PLURAL_MEDIA_FORMATS[value]  # moved onto the items by the caller
        if value in _MEDIA_FORMATS or value in _PLURAL_MEDIA_FORMATS:
            raise self.error(f"format {value!r} does not fit type {json_type!r}", pointer)
        if value not in KNOWN_FORMATS:
            self.note("unknown-format", f"unknown format {value!r} kept as an annotation", pointer)
        out["format"] = value
        return None

    def check(self, schema: dict[str, Any], pointer: str) -> None:
        """``schema`` against the metaschema. The metaschema checks each property's schema
        on its own, so each is checked (and remembered) on its own, then the object with
        empty ones: a catalog repeats properties (the same seed or prompt settings) far more
        often than whole schemas."""
        properties = schema.get("properties")
        if isinstance(properties, dict) and properties:
            for key, prop in properties.items():
                self._check_one(prop, join_pointer(pointer, "properties", key))
            schema = {**schema, "properties": dict.fromkeys(properties, True)}
        self._check_one(schema, pointer)

    def _check_one(self, schema: Any, pointer: str) -> None:
        # A catalog repeats schemas (one output schema per output type, the same seed or
        # prompt settings): each distinct one is checked against the metaschema once.
        text = json.dumps(schema, sort_keys=True)
        if text in _VALID_SCHEMAS:
            return
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            at = join_pointer(pointer, *exc.path)
            raise self.error(f"not a valid JSON Schema: {exc.message}", at) from None
        if len(_VALID_SCHEMAS) < _MAX_REMEMBERED:
            _VALID_SCHEMAS.add(text)

    def check_instance(
        self, schema: dict[str, Any], instance: Any, pointer: str, code: str, what: str
    ) -> None:
        validator = SchemaValidator(schema, format_checker=_FORMAT_CHECKER)
        for err in sorted(validator.iter_errors(instance), key=lambda e: list(e.path)):
            self.note(
                code, f"{what} fails the schema: {err.message}", join_pointer(pointer, *err.path)
            )


def _items_type(schema: dict[str, Any]) -> str | None:
    """The items' JSON type; several (``["string", "null"]``) read ``string or null``."""
    items = schema.get("items")
    kind = items.get("type") if isinstance(items, dict) else None
    return " or ".join(kind) if isinstance(kind, list) else kind


def _fold_nullable_any_of(node: dict[str, Any]) -> dict[str, Any]:
    """``{"anyOf": [{X}, {"type": "null"}], ...}`` (pydantic's ``Optional[X]``; ``oneOf``
    means the same here, the two branches never overlap) as one schema of type
    ``[X, "null"]``; any other union is left to be refused.

    The branch's keywords join the property's own (title, description, default); an ``enum``
    then gains ``null`` like that of any ``[X, "null"]`` property.
    """
    unions = [keyword for keyword in ("anyOf", "oneOf") if keyword in node]
    if "type" in node or len(unions) != 1:
        return node
    branches = node[unions[0]]
    if not isinstance(branches, list) or len(branches) != 2:
        return node
    nulls = [b for b in branches if b == {"type": "null"}]
    typed = [b for b in branches if b != {"type": "null"}]
    if len(nulls) != 1 or len(typed) != 1 or not isinstance(typed[0], dict):
        return node
    branch = typed[0]
    if not isinstance(branch.get("type"), str) or branch["type"] == "null":
        return node
    if any(key in node and node[key] != value for key, value in branch.items()):
        return node  # the two disagree: not a plain Optional[X]
    folded = {key: value for key, value in node.items() if key != unions[0]}
    folded.update(branch)
    folded["type"] = [branch["type"], "null"]
    return folded  # an enum gains null as every [X, "null"] one does (_Normalizer.schema)


def non_null_type(spelled: Any) -> str | None:
    """``X`` of ``["X", "null"]`` (either order): a property that may also be null."""
    if isinstance(spelled, list) and len(spelled) == 2 and "null" in spelled:
        (kind,) = [t for t in spelled if t != "null"] or [None]
        return kind if isinstance(kind, str) else None
    return None


def base_type(spelled: Any) -> Any:
    """The type formats, media and file rules apply to: ``X`` of ``["X", "null"]`` (null
    carries no file), else the type as spelled."""
    return non_null_type(spelled) or spelled


def field_spec(
    key: str,
    schema: dict[str, Any],
    named: NamedKey,
    *,
    required: bool,
    media: MediaKind | None,
    rules: tuple[Rule, ...],
    pointer: str,
) -> FieldSpec:
    """The IR of one normalized input property (also rebuilt from generated schemas by diff)."""
    return FieldSpec(
        wire_key=key,
        python_name=named.python_name,
        name_origin=named.origin,
        name_deduplicated=named.deduplicated,
        json_type=base_type(schema.get("type", "string")),
        item_type=_items_type(schema),
        required=required,
        title=schema.get("title"),
        description=schema.get("description"),
        has_default="default" in schema,
        default=schema.get("default"),
        enum=tuple(schema["enum"]) if isinstance(schema.get("enum"), list) else None,
        media=media,
        rules=rules,
        schema=schema,
        pointer=pointer,
    )


def output_field_spec(key: str, schema: dict[str, Any], named: NamedKey) -> OutputFieldSpec:
    return OutputFieldSpec(
        wire_key=key,
        python_name=named.python_name,
        json_type=base_type(schema.get("type", "string")),
        item_type=_items_type(schema),
        description=schema.get("description"),
        schema=schema,
    )


def _mark_inferred_media(schema: dict[str, Any], stripped_key: str) -> MediaKind | None:
    """Give an undocumented media input the format a documented one would have."""
    media = infer_media(stripped_key)
    if media is None:
        return None
    kind = base_type(schema["type"])
    if kind == "string":
        target = schema
    elif kind == "array" and schema.get("items", {}).get("type") == "string":
        target = schema["items"]
    else:
        return None
    target["format"] = "uri"
    target["contentMediaType"] = media.content_media_type
    return media


def _input(norm: _Normalizer, model: DocumentedModel) -> tuple[dict[str, Any], list[FieldSpec]]:
    documented = model.input_schema
    base = "/input_schema"
    if documented.get("type", "object") != "object":
        raise norm.error("the input schema must be of type object", base + "/type")
    properties = documented.get("properties")
    if not isinstance(properties, dict) or not properties:
        raise norm.error("the input schema has no properties", base + "/properties")
    required = documented.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise norm.error("required must be a list of strings", base + "/required")
    for index, key in enumerate(required):
        if key not in properties:
            raise norm.error(f"required key {key!r} is not a property", f"{base}/required/{index}")

    titles = [
        (
            key,
            prop.get("title")
            if isinstance(prop, dict) and isinstance(prop.get("title"), str)
            else None,
        )
        for key, prop in properties.items()
    ]
    names_file = model.file.removesuffix(".json") + ".names.json"
    names = assign_names(titles, dict(model.names), model.file, names_file)

    normalized_properties: dict[str, Any] = {}
    fields: list[FieldSpec] = []
    for (key, prop), named in zip(properties.items(), names, strict=True):
        pointer = join_pointer(base, "properties", key)
        schema, media, rules = norm.schema(prop, pointer)
        if schema["type"] == "null" or (
            not isinstance(schema["type"], str) and non_null_type(schema["type"]) is None
        ):
            raise norm.error(
                "a top-level property needs one type other than null, or one type and null",
                pointer + "/type",
            )
        if media is None and "format" not in schema and "format" not in schema.get("items", {}):
            media = _mark_inferred_media(schema, strip_node_prefixes(key))
        normalized_properties[key] = schema
        fields.append(
            field_spec(key, schema, named, required=key in required, media=media, rules=rules,
                       pointer=pointer)
        )  # fmt: skip
    result: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": schema_id(model.model_id, "input"),
        "title": f"{model.model_id} input",
    }
    if isinstance(documented.get("description"), str) and documented["description"]:
        result["description"] = documented["description"]
    result["type"] = "object"
    result["properties"] = normalized_properties
    if required:
        result["required"] = list(required)
    result["additionalProperties"] = False
    # One metaschema check of the whole (a property's errors point into it), then the
    # defaults, each against its property's schema, now known to be valid.
    norm.check(result, base)
    for key, schema in normalized_properties.items():
        if "default" in schema:
            pointer = join_pointer(base, "properties", key, "default")
            norm.check_instance(
                schema, schema["default"], pointer, "default-invalid", "the default"
            )
    return result, fields


def _output(
    norm: _Normalizer, model: DocumentedModel
) -> tuple[dict[str, Any], list[OutputFieldSpec]]:
    base = "/output_schema"
    documented = model.output_schema
    if list(documented) != ["output"] or not isinstance(documented["output"], dict):
        raise norm.error('the output schema must be {"output": {...}}', base)
    inner, _, _ = norm.schema(documented["output"], base + "/output")
    if inner.get("type") != "object" or not isinstance(inner.get("properties"), dict):
        raise norm.error("the output must be an object with properties", base + "/output")
    result: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": schema_id(model.model_id, "output"),
        "title": f"{model.model_id} output",
        **inner,
    }
    norm.check(result, base + "/output")
    keys = [(key, None) for key in inner["properties"]]
    names = assign_names(keys, {}, model.file, model.file)
    outputs = [
        output_field_spec(key, schema, named)
        for named, (key, schema) in zip(names, inner["properties"].items(), strict=True)
    ]
    return result, outputs


def prepare(model: DocumentedModel) -> DocumentedModel:
    """``model`` with its local ``$ref``s inlined, once it is known to hold nothing absurd
    (non-finite numbers, huge sizes, deep nesting, references to other documents)."""
    check_values(model.to_json(), model.file)
    if model.example is not None:
        check_example_size(model.example, model.file)
    input_schema = inline_refs(model.input_schema, model.file, "/input_schema")
    output_schema = inline_refs(model.output_schema, model.file, "/output_schema")
    check_schema_shape(input_schema, model.file, "/input_schema")
    check_schema_shape(output_schema.get("output"), model.file, "/output_schema/output")
    return replace(model, input_schema=input_schema, output_schema=output_schema)


def normalize(model: DocumentedModel) -> ModelSpec:
    """Normalize a documented model; raise :class:`InputError` on what has no defined meaning."""
    model = prepare(model)
    norm = _Normalizer(model.file)
    input_schema, fields = _input(norm, model)
    output_schema, outputs = _output(norm, model)
    if model.example is not None:
        norm.check_instance(
            input_schema, model.example, "/example", "example-invalid", "the example"
        )
    return ModelSpec(
        model_id=model.model_id,
        endpoint=model.endpoint,
        source=model.source,
        file=model.file,
        fields=tuple(fields),
        outputs=tuple(outputs),
        input_schema=input_schema,
        output_schema=output_schema,
        example=copy.deepcopy(model.example),
        diagnostics=tuple(norm.diagnostics),
    )
