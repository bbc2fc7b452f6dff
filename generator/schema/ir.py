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
from typing import Any

__all__ = [
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
    #: For arrays: the items' JSON type.
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


@dataclass(frozen=True)
class OutputFieldSpec:
    wire_key: str
    python_name: str
    json_type: str
    item_type: str | None
    description: str | None
    schema: dict[str, Any]


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
