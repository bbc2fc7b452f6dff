"""The models the server knows, and how it checks a request body against one of them.

Every model file under the schemas folder is normalized once at start-up. A body is checked
against the normalized input schema (``SchemaValidator``: 2020-12, formats, linear-time
``pattern``) and against the documented file rules (``x-runcomfy-validations``) for URLs
whose file the server knows (its own samples, uploads and results): it cannot fetch the
internet, so rules on other URLs are not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from generator.errors import join_pointer
from generator.runtime._validation import BYTES_PER_MB
from generator.schema.documented import DocumentedModel, load_model_file
from generator.schema.folder import load_folder
from generator.schema.formats import SchemaValidator, format_checker
from generator.schema.ir import FieldSpec, Metric, ModelSpec, Rule
from generator.schema.output_medium import media_offered, medium_from_model_id
from generator.serve.media import MediaFile

__all__ = ["Catalog", "Problem", "load_catalog", "output_kind"]

#: ``file_size_mb`` is decimal MB, the runtime's unit (so the two cannot drift apart).
_BYTES_PER_MB = BYTES_PER_MB


@dataclass(frozen=True)
class Problem:
    """One reason a body is refused: where (JSON pointer into the body) and why."""

    pointer: str
    message: str
    keyword: str
    rule: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "pointer": self.pointer,
            "message": self.message,
            "keyword": self.keyword,
        }
        if self.rule is not None:
            data["rule"] = self.rule
        return data


def output_kind(spec: ModelSpec) -> str:
    """The medium a model makes (rule in generator/schema/output_medium.py): the one its output
    schema offers when it offers one (a pulled model's derived schema), else what its id names
    (``image-to-video``, ``music-generation``), else the first medium its output schema offers,
    else image."""
    offered = media_offered(output.wire_key for output in spec.outputs)
    if len(offered) == 1:
        return offered[0]
    return medium_from_model_id(spec.model_id) or next(iter(offered), "image")


#: Finds the file behind a URL when the server serves it; None for any other URL.
FileLookup = Callable[[str], MediaFile | None]


def _measure(rule: Rule, media: MediaFile) -> float | None:
    if rule.metric is Metric.FILE_SIZE_MB:
        return media.size_bytes / _BYTES_PER_MB
    if media.width is None or media.height is None:
        return None
    if rule.metric is Metric.WIDTH_PIXELS:
        return media.width
    if rule.metric is Metric.HEIGHT_PIXELS:
        return media.height
    return media.width / media.height


def _schema_problems(validator: Draft202012Validator, body: Any) -> list[Problem]:
    problems: list[Problem] = []
    for error in validator.iter_errors(body):
        base = join_pointer("", *error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            # One error per missing key; point at the key itself.
            for key in error.validator_value:
                if key not in error.instance and repr(key) in error.message:
                    problems.append(Problem(join_pointer(base, key), error.message, "required"))
                    break
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - allowed):
                problems.append(
                    Problem(
                        join_pointer(base, key),
                        f"unknown key {key!r} (not in the model's input schema)",
                        "additionalProperties",
                    )
                )
            continue
        problems.append(Problem(base, error.message, str(error.validator)))
    return problems


def _rule_problems(field: FieldSpec, value: Any, lookup: FileLookup) -> list[Problem]:
    if not field.rules:
        return []
    pointer = join_pointer("", field.wire_key)
    urls: list[tuple[str, Any]] = (
        [(join_pointer(pointer, i), item) for i, item in enumerate(value)]
        if isinstance(value, list)
        else [(pointer, value)]
    )
    problems: list[Problem] = []
    for url_pointer, url in urls:
        media = lookup(url) if isinstance(url, str) else None
        if media is None:
            continue
        for rule in field.rules:
            measured = _measure(rule, media)
            if measured is not None and not rule.holds_for(measured):
                problems.append(
                    Problem(url_pointer, rule.message, "x-runcomfy-validations", rule.rule)
                )
    return problems


@dataclass(frozen=True)
class _Model:
    spec: ModelSpec
    validator: Draft202012Validator
    #: The model file as written (the catalog endpoints answer its documented input schema).
    documented: DocumentedModel


@dataclass(frozen=True)
class Catalog:
    models: Mapping[str, _Model]

    def __contains__(self, model_id: object) -> bool:
        return model_id in self.models

    def spec(self, model_id: str) -> ModelSpec:
        return self.models[model_id].spec

    def documented(self, model_id: str) -> DocumentedModel:
        return self.models[model_id].documented

    def check(self, model_id: str, body: Any, lookup: FileLookup) -> list[Problem]:
        """Every problem of ``body`` for ``model_id``, ordered by pointer."""
        model = self.models[model_id]
        problems = _schema_problems(model.validator, body)
        if isinstance(body, dict):
            for field in model.spec.fields:
                if field.wire_key in body:
                    problems += _rule_problems(field, body[field.wire_key], lookup)
        return sorted(problems, key=lambda p: (p.pointer, p.keyword, p.message))


def load_catalog(schemas_dir: Path) -> Catalog:
    """Normalize every model file under ``schemas_dir`` (an unusable one is an InputError)."""
    models = {
        spec.model_id: _Model(
            spec,
            SchemaValidator(spec.input_schema, format_checker=format_checker()),
            load_model_file(Path(spec.file)),
        )
        for spec in load_folder(schemas_dir)
    }
    return Catalog(models)
