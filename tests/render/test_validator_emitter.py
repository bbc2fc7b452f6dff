"""The validator emitter on keywords the corpus does not use, against jsonschema.

A synthetic model exercises nested objects, multi-type values, const, pattern, multipleOf,
exclusive bounds, uniqueItems, enums mixing booleans and numbers, and keys that need pointer
escaping; payloads are drawn with hypothesis-jsonschema and mutated, and the generated
``validate()`` must agree with jsonschema on each.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator, FormatChecker

from generator.output.build import build_outputs, load_specs
from generator.output.tree import write_tree

_PROPERTIES: dict[str, Any] = {
    "prompt": {"type": "string", "minLength": 2, "maxLength": 8},
    "a/b~c": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
    "step": {"type": "number", "multipleOf": 0.5, "minimum": -2, "maximum": 2},
    "fixed": {"type": "string", "const": "v1"},
    "mixed": {"type": "integer", "enum": [0, 1, 2]},
    "flag": {"type": "boolean", "enum": [True]},
    "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "maxItems": 3},
    "box": {
        "type": "object",
        "properties": {
            "w": {"type": "integer", "minimum": 1},
            "h": {"type": "integer", "minimum": 1},
            "label": {"type": "string", "pattern": "^[a-z]+$"},
            "either": {"type": ["string", "integer"], "minLength": 1, "maximum": 3},
        },
        "required": ["w", "h"],
        "additionalProperties": False,
    },
    "points": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
            "required": ["x"],
        },
    },
}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, Any]]:
    root = tmp_path_factory.mktemp("synthetic")
    model = {
        "model_id": "test/keywords/text-to-image",
        "endpoint": "https://model-api.runcomfy.net/v1/models/test/keywords/text-to-image",
        "source": "test",
        "example": None,
        "input_schema": {"type": "object", "required": ["prompt"], "properties": _PROPERTIES},
        "output_schema": {
            "output": {"type": "object", "properties": {"image": {"type": "string"}}}
        },
    }
    path = root / "schemas/test/keywords/text-to-image.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(model), encoding="utf-8")
    write_tree(root / "generated", build_outputs(root / "schemas"))
    shutil.copytree(root / "generated/python/runcomfy_models", root / "lib/runcomfy_synthetic")
    sys.path.insert(0, str(root / "lib"))
    try:
        module = importlib.import_module("runcomfy_synthetic.models.test_keywords_text_to_image")
        [spec] = load_specs(root / "schemas")
        yield module, spec
    finally:
        sys.path.remove(str(root / "lib"))
        for name in [n for n in sys.modules if n.split(".")[0] == "runcomfy_synthetic"]:
            del sys.modules[name]


_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    2,
    3,
    10,
    0.5,
    0.25,
    -2.5,
    2.0,
    "",
    "a",
    "ab",
    "abc1",
    "v1",
    "v2",
    "abcdefghi",
    [],
    ["x"],
    ["x", "x"],
    ["x", "y", "z", "w"],
    {},
    {"w": 1, "h": 1},
    {"w": 0, "h": 1},
    {"w": 1},
    {"w": 1, "h": 1, "d": 1},
    {"w": 1, "h": 1, "label": 5},
    {"w": 1, "h": 1, "label": "ok"},
    {"w": 1, "h": 1, "label": "Not ok"},
    *({"w": 1, "h": 1, "either": v} for v in ("", 4, 2, "x", 1.0, True, None)),
    [{"x": 1}],
    [{"y": 1}],
    [{"x": "1"}],
    [None],
    [{"x": 1, "z": True}],
]


def test_emitted_checks_agree_with_jsonschema(synthetic: tuple[ModuleType, Any]) -> None:
    module, spec = synthetic
    reference = Draft202012Validator(spec.input_schema, format_checker=FormatChecker())
    schema = {k: v for k, v in spec.input_schema.items() if k not in ("$schema", "$id")}
    drawn: list[dict[str, Any]] = []

    @settings(
        max_examples=30, derandomize=True, deadline=None, database=None,
        phases=[Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(from_schema(schema))
    def collect(payload: dict[str, Any]) -> None:
        drawn.append(payload)

    collect()
    compared = 0
    for payload in drawn[:10]:
        for key in _PROPERTIES:
            for value in _VALUES:
                mutated = {**payload, key: value}
                ours = [i for i in module.validate(mutated) if i.is_error]
                theirs = list(reference.iter_errors(mutated))
                assert (not ours) == (not theirs), (mutated, ours, [e.message for e in theirs])
                compared += 1
    for payload in drawn:
        assert [i for i in module.validate(payload) if i.is_error] == [], payload
    assert compared > 3000


def test_pointers_escape_keys_and_reach_nested_values(synthetic: tuple[ModuleType, Any]) -> None:
    module, _ = synthetic
    issues = module.validate(
        {"prompt": "ok", "a/b~c": 10, "box": {"w": 0, "x": 1}, "points": [{"x": "1"}]}
    )
    found = {(i.pointer, i.rule, i.name) for i in issues}
    assert found == {
        ("/a~1b~0c", "exclusiveMaximum", "a_b_c"),
        ("/box/w", "minimum", "box"),
        ("/box/h", "required", "box"),
        ("/box/x", "additionalProperties", None),
        ("/points/0/x", "type", "points"),
    }, found


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_no_numbers(synthetic: tuple[ModuleType, Any], value: float) -> None:
    # jsonschema lets them through (every comparison with NaN is false); they are not JSON, so
    # the request could not be sent, and NaN would pass every documented bound unnoticed.
    module, _ = synthetic
    issues = module.validate({"prompt": "ok", "step": value, "points": [{"x": value}]})
    assert {(i.pointer, i.rule) for i in issues} == {("/step", "type"), ("/points/0/x", "type")}
    assert all("not a JSON number" in i.message for i in issues)
