"""The typed intermediate form that every generator reads.

One :class:`ModelSpec` per model: its normalized JSON Schemas plus, per input property, the
facts a code generator needs without re-reading JSON Schema (Python name, kind, constraints,
custom rules, media kind).
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from generator.runtime._protocol import VALIDATIONS_KEYWORD

__all__ = [
    "ANNOTATION_KEYWORDS",
    "CHECKED_KEYWORDS",
    "UNCHECKABLE_KEYWORDS",
    "Constraints",
    "Diagnostic",
    "FieldSpec",
    "MediaKind",
    "Metric",
    "ModelSpec",
    "NameOrigin",
    "Operator",
    "OutputFieldSpec",
    "Rule",
]


class MediaKind(enum.StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"

    @property
    def content_media_type(self) -> str:
        return f"{self.value}/*"


class Metric(enum.StrEnum):
    """What a custom rule measures on the file behind a URL."""

    FILE_SIZE_MB = "file_size_mb"
    WIDTH_PIXELS = "width_pixels"
    HEIGHT_PIXELS = "height_pixels"
    ASPECT_RATIO = "width/height"


class Operator(enum.StrEnum):
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    @property
    def compare(self) -> Callable[[float, float], bool]:
        return _COMPARE[self]

    @property
    def is_strict(self) -> bool:
        return self in (Operator.LT, Operator.GT)

    @property
    def is_upper_bound(self) -> bool:
        return self in (Operator.LT, Operator.LE)


_COMPARE: dict[Operator, Callable[[float, float], bool]] = {
    Operator.LT: operator.lt,
    Operator.LE: operator.le,
    Operator.GT: operator.gt,
    Operator.GE: operator.ge,
}


@dataclass(frozen=True)
class Rule:
    """One documented ``validations`` entry: ``<metric><operator> <value>``, with its message."""

    metric: Metric
    operator: Operator
    value: int | float
    #: The documented ``validation_error``, verbatim.
    message: str

    @property
    def rule(self) -> str:
        """The documented ``validation_rule`` spelling, e.g. ``file_size_mb<``."""
        return f"{self.metric.value}{self.operator.value}"

    def holds_for(self, measured: float) -> bool:
        return self.operator.compare(measured, self.value)

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric.value,
            "operator": self.operator.value,
            "value": self.value,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        """The inverse of :meth:`to_json` (an ``x-runcomfy-validations`` entry)."""
        return cls(
            metric=Metric(data["metric"]),
            operator=Operator(data["operator"]),
            value=data["value"],
            message=data["message"],
        )


#: Keywords that describe a value for people and tools and constrain nothing.
ANNOTATION_KEYWORDS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentMediaType",
        "contentEncoding",
    }
)
#: Keywords the generated validators check (the vocabulary of normalized RunComfy schemas).
CHECKED_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minItems",
        "maxItems",
        "uniqueItems",
        "items",
        "properties",
        "required",
        "additionalProperties",
        VALIDATIONS_KEYWORD,
    }
)


#: JSON Schema keywords that constrain a value but that the generated validators and models
#: do not check: normalization refuses them at their pointer rather than let the generated
#: ``validate()`` accept what the schema (and jsonschema) would refuse. ``anyOf``/``oneOf`` of
#: "X or null" is folded into ``type`` before this applies; ``patternProperties`` is refused
#: earlier, by the guard (jsonschema would match it with a backtracking engine).
UNCHECKABLE_KEYWORDS = frozenset(
    {
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "dependentRequired",
        "dependentSchemas",
        "dependencies",
        "contains",
        "minContains",
        "maxContains",
        "prefixItems",
        "additionalItems",
        "unevaluatedItems",
        "unevaluatedProperties",
        "propertyNames",
        "minProperties",
        "maxProperties",
    }
)


def _number(schema: dict[str, Any], key: str) -> int | float | None:
    value = schema.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _count(schema: dict[str, Any], key: str) -> int | None:
    value = schema.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Constraints:
    """What a normalized schema node asks of a value, typed: read this, not the JSON Schema.

    Docs, examples, diff and the generated validators read these fields. Keywords outside
    :data:`CHECKED_KEYWORDS` and :data:`ANNOTATION_KEYWORDS` are kept in ``unchecked``.
    """

    types: tuple[str, ...]
    enum: tuple[Any, ...] | None = None
    has_const: bool = False
    const: Any = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | None = None
    exclusive_maximum: int | float | None = None
    multiple_of: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    format: str | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    items: Constraints | None = None
    properties: tuple[tuple[str, Constraints], ...] | None = None
    required: tuple[str, ...] = ()
    additional_properties: bool = True
    rules: tuple[Rule, ...] = ()
    unchecked: tuple[str, ...] = ()

    @classmethod
    def of(cls, schema: dict[str, Any]) -> Constraints:
        """The constraints of one normalized schema node (and, recursively, its parts)."""
        spelled = schema.get("type")
        types = tuple(spelled) if isinstance(spelled, list) else (spelled,) if spelled else ()
        items = schema.get("items")
        properties = schema.get("properties")
        enum = schema.get("enum")
        rules = schema.get(VALIDATIONS_KEYWORD)
        pattern = schema.get("pattern")
        fmt = schema.get("format")
        extra = schema.get("additionalProperties", True)
        unchecked = [
            key for key in schema if key not in CHECKED_KEYWORDS and key not in ANNOTATION_KEYWORDS
        ]
        if not isinstance(extra, bool):
            unchecked.append("additionalProperties")
        return cls(
            types=tuple(t for t in types if isinstance(t, str)),
            enum=tuple(enum) if isinstance(enum, list) else None,
            has_const="const" in schema,
            const=schema.get("const"),
            minimum=_number(schema, "minimum"),
            maximum=_number(schema, "maximum"),
            exclusive_minimum=_number(schema, "exclusiveMinimum"),
            exclusive_maximum=_number(schema, "exclusiveMaximum"),
            multiple_of=_number(schema, "multipleOf"),
            min_length=_count(schema, "minLength"),
            max_length=_count(schema, "maxLength"),
            pattern=pattern if isinstance(pattern, str) else None,
            format=fmt if isinstance(fmt, str) else None,
            min_items=_count(schema, "minItems"),
            max_items=_count(schema, "maxItems"),
            unique_items=schema.get("uniqueItems") is True,
            items=cls.of(items) if isinstance(items, dict) else None,
            properties=tuple((k, cls.of(v)) for k, v in properties.items())
            if isinstance(properties, dict)
            else None,
            required=tuple(r for r in schema.get("required", ()) if isinstance(r, str)),
            additional_properties=extra is not False,
            rules=tuple(Rule.from_json(r) for r in rules) if isinstance(rules, list) else (),
            unchecked=tuple(unchecked),
        )

    @property
    def is_url(self) -> bool:
        return self.format == "uri"

    def range_text(self) -> str | None:
        """The numeric range in words, e.g. ``1 <= x <= 15`` or ``> 0``; None when open."""
        low = (
            f"{self.minimum} <= "
            if self.minimum is not None
            else f"{self.exclusive_minimum} < "
            if self.exclusive_minimum is not None
            else ""
        )
        high = (
            f" <= {self.maximum}"
            if self.maximum is not None
            else f" < {self.exclusive_maximum}"
            if self.exclusive_maximum is not None
            else ""
        )
        if not low and not high:
            return None
        return f"{low}x{high}"


class NameOrigin(enum.StrEnum):
    """Where a Python name came from (lint reports invented and renamed ones)."""

    KEY = "key"  # the wire key is already a good snake_case identifier
    TITLE = "title"  # a ComfyUI node key named by its ASCII title
    KEY_STRIPPED = "key_stripped"  # the key without node prefixes / made snake_case
    OVERRIDE = "override"  # the model's names file
    INVENTED = "invented"  # nothing usable: field_<hash of the key>


@dataclass(frozen=True)
class Diagnostic:
    """Something normalization noticed but could go on with (e.g. a default failing its type)."""

    pointer: str
    message: str
    code: str


@dataclass(frozen=True)
class FieldSpec:
    wire_key: str
    python_name: str
    name_origin: NameOrigin
    #: True when the first choice of name collided and a suffix or fallback was used.
    name_deduplicated: bool
    #: JSON type after normalization: string, integer, number, boolean, array or object.
    json_type: str
    #: For arrays: the items' JSON type (``string or null`` when they may have several).
    item_type: str | None
    required: bool
    title: str | None
    description: str | None
    has_default: bool
    default: Any
    enum: tuple[Any, ...] | None
    media: MediaKind | None
    rules: tuple[Rule, ...]
    #: The normalized JSON Schema of this property.
    schema: dict[str, Any]
    #: JSON pointer of the property in the documented input schema.
    pointer: str

    @property
    def is_array(self) -> bool:
        return self.json_type == "array"

    @cached_property
    def constraints(self) -> Constraints:
        """This property's constraints, typed (items' constraints in ``.items``)."""
        return Constraints.of(self.schema)


@dataclass(frozen=True)
class OutputFieldSpec:
    wire_key: str
    python_name: str
    json_type: str
    item_type: str | None
    description: str | None
    schema: dict[str, Any]

    @cached_property
    def constraints(self) -> Constraints:
        return Constraints.of(self.schema)


@dataclass(frozen=True)
class ModelSpec:
    model_id: str
    endpoint: str
    source: str
    #: The model file it was read from.
    file: str
    fields: tuple[FieldSpec, ...]
    outputs: tuple[OutputFieldSpec, ...]
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    example: dict[str, Any] | None
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    def field_by_key(self, wire_key: str) -> FieldSpec:
        return next(f for f in self.fields if f.wire_key == wire_key)
