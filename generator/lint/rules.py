"""The lint rule catalogue: stable codes, severities and fix hints (docs/lint-rules.md).

Codes never change meaning and are never reused: CI configurations and SARIF baselines in
other repositories refer to them. A retired rule keeps its code reserved.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["RULES", "LintRule", "Severity", "rule"]


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def sarif_level(self) -> str:
        return _SARIF_LEVEL[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
_SARIF_LEVEL = {Severity.INFO: "note", Severity.WARNING: "warning", Severity.ERROR: "error"}


@dataclass(frozen=True)
class LintRule:
    code: str
    #: kebab-case name, also stable (SARIF ``name``).
    name: str
    severity: Severity
    #: One line: what the rule checks.
    summary: str
    #: The generic fix; findings may carry a more precise one.
    hint: str


RULES: tuple[LintRule, ...] = (
    LintRule(
        "RC001",
        "schema-unusable",
        Severity.ERROR,
        "The model cannot be normalized for a reason no more specific rule covers.",
        "Fix the schema at the pointer; `runcomfy-codegen normalize FILE` shows the same error.",
    ),
    LintRule(
        "RC101",
        "type-float",
        Severity.INFO,
        'A property is typed "float", which is not a JSON Schema type.',
        'Write "type": "number" (normalization reads "float" as "number").',
    ),
    LintRule(
        "RC102",
        "type-unknown",
        Severity.ERROR,
        "A property's type is not a JSON Schema type.",
        "Use one of string, integer, number, boolean, array, object, null.",
    ),
    LintRule(
        "RC103",
        "format-unknown",
        Severity.WARNING,
        "A format is neither a media format (image_uri ...) nor a format JSON Schema knows.",
        "Use image_uri/video_uri/audio_uri (or *_uris on arrays), a JSON Schema format, or none.",
    ),
    LintRule(
        "RC104",
        "format-type-mismatch",
        Severity.ERROR,
        "A media format does not fit the property's type (image_uri on an array ...).",
        "Use image_uri on strings and image_uris on arrays of strings.",
    ),
    LintRule(
        "RC105",
        "validation-malformed",
        Severity.ERROR,
        "A validations entry is unknown or malformed (metric, operator, value or keys).",
        "Write {validation_rule: '<metric><op>', validation_value: <number>, "
        "validation_error: '...'} with a known metric and one of <, <=, >, >=.",
    ),
    LintRule(
        "RC106",
        "ref-not-local",
        Severity.ERROR,
        "A $ref points outside its own schema (a file, a URL, another document), is recursive "
        "or points at nothing; or $id/$anchor/$dynamicRef could name another document.",
        "Put the definition under $defs in the same schema and refer to it as "
        "#/$defs/<name>, or write it in place. Nothing a schema names is ever read.",
    ),
    LintRule(
        "RC107",
        "type-inferred",
        Severity.INFO,
        "A property has no type; normalization gives it the one type of its enum (or const) "
        "values, else of its default, else the one its keywords apply to.",
        'Write the type they imply: {"type": "string", "enum": [...]}, '
        '{"type": "integer", "default": 20}.',
    ),
    LintRule(
        "RC108",
        "type-alias",
        Severity.INFO,
        'A property\'s type is another spelling of a JSON Schema type ("int", "bool", "str", '
        '"double", or another letter case such as ComfyUI\'s "INT", "STRING").',
        'Write the JSON Schema name ("integer", "boolean", "string", "number"); normalization '
        "reads the spelling as it.",
    ),
    LintRule(
        "RC201",
        "default-invalid",
        Severity.ERROR,
        "A default violates its own property (type, enum, range, length or item count).",
        "Change the default to a value the property accepts, or drop it.",
    ),
    LintRule(
        "RC202",
        "bounds-inverted",
        Severity.ERROR,
        "A lower bound exceeds its upper bound (minimum > maximum, minLength > maxLength ...).",
        "Swap or correct the bounds; no value can satisfy them now.",
    ),
    LintRule(
        "RC203",
        "enum-duplicate",
        Severity.ERROR,
        "An enum lists the same value twice.",
        "Remove the repeated value.",
    ),
    LintRule(
        "RC204",
        "enum-mixed-types",
        Severity.WARNING,
        "An enum mixes JSON types, or holds values its property's type rejects.",
        'Give every enum value the property\'s type (5, not "5", on an integer).',
    ),
    LintRule(
        "RC205",
        "required-not-property",
        Severity.ERROR,
        "A required key is not among the properties.",
        "Add the property or remove the key from required.",
    ),
    LintRule(
        "RC301",
        "example-invalid",
        Severity.ERROR,
        "The page's example request fails the normalized input schema.",
        "Correct the example (or the schema, if the example shows what the API accepts).",
    ),
    LintRule(
        "RC302",
        "media-default-not-https",
        Severity.WARNING,
        "A media input's default is not an absolute https URL.",
        "Use a public https:// URL of a sample file as the default, or no default.",
    ),
    LintRule(
        "RC401",
        "validation-message-contradiction",
        Severity.WARNING,
        "A validation message contradicts its rule (strict vs inclusive, direction or value).",
        "Make the rule and its validation_error say the same bound.",
    ),
    LintRule(
        "RC501",
        "name-collision",
        Severity.WARNING,
        "Two properties wanted the same Python name; one got a fallback or a numbered name.",
        'Name them in <model_id>.names.json ({"wire_key": "python_name"}).',
    ),
    LintRule(
        "RC502",
        "name-invented",
        Severity.WARNING,
        "A property's key and title yield no Python name; field_<hash> was invented.",
        "Give the property an ASCII title or name it in <model_id>.names.json.",
    ),
    LintRule(
        "RC503",
        "title-missing",
        Severity.INFO,
        "A property has no title (docs and SDK help fall back to its key).",
        "Add a short human-readable title.",
    ),
)

_BY_CODE = {r.code: r for r in RULES}


def rule(code: str) -> LintRule:
    return _BY_CODE[code]
