"""diff inside object-typed inputs (LoRA settings): each nested property classified as an input
is, so an optional field added to a LoRA is a minor release, not a major one."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from generator.diff import Category, compare, required_bump
from generator.schema.ir import ModelSpec
from generator.schema.normalize import normalize
from tests.support.corpus import documented_model

B, N, W = Category.BREAKING, Category.NON_BREAKING, Category.NOTEWORTHY
LORA: dict[str, Any] = {
    "type": "object",
    "title": "LoRA",
    "required": ["path"],
    "properties": {
        "path": {"type": "string", "format": "uri"},
        "scale": {"type": "number", "minimum": 0, "maximum": 4, "description": "Strength."},
        "steps": {"type": "integer"},
    },
}
INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["prompt"],
    "properties": {
        "prompt": {"type": "string"},
        "lora": LORA,
        "loras": {"type": "array", "items": LORA},
    },
}


def spec(schema: dict[str, Any]) -> ModelSpec:
    return normalize(documented_model(schema, "acme/flux-lora/text-to-image"))


def lora(schema: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = schema["properties"]["lora"]
    return found


Edit = Callable[[dict[str, Any]], object]
CASES: list[tuple[str, Edit, set[tuple[Category, str, str]], str]] = [
    ("optional-added", lambda s: lora(s)["properties"].update(seed={"type": "integer"}),
     {(N, "property-added", "/properties/lora/properties/seed")}, "minor"),
    ("required-added",
     lambda s: (lora(s)["properties"].update(seed={"type": "integer"}),
                lora(s)["required"].append("seed")),
     {(B, "required-property-added", "/properties/lora/properties/seed")}, "major"),
    ("removed", lambda s: lora(s)["properties"].pop("scale"),
     {(B, "property-removed", "/properties/lora/properties/scale")}, "major"),
    ("range-narrowed", lambda s: lora(s)["properties"]["scale"].update(maximum=2),
     {(B, "range-narrowed", "/properties/lora/properties/scale/maximum")}, "major"),
    ("range-widened", lambda s: lora(s)["properties"]["scale"].update(maximum=8),
     {(N, "range-widened", "/properties/lora/properties/scale/maximum")}, "minor"),
    ("type-changed", lambda s: lora(s)["properties"].update(scale={"type": "string"}),
     {(B, "type-changed", "/properties/lora/properties/scale/type")}, "major"),
    ("type-widened", lambda s: lora(s)["properties"]["steps"].update(type="number"),
     {(N, "type-widened", "/properties/lora/properties/steps/type")}, "minor"),
    ("became-required", lambda s: lora(s)["required"].append("scale"),
     {(B, "became-required", "/properties/lora/properties/scale")}, "major"),
    ("description", lambda s: lora(s)["properties"]["scale"].update(description="LoRA weight."),
     {(W, "description-changed", "/properties/lora/properties/scale/description")}, "patch"),
    ("nullable", lambda s: lora(s)["properties"]["scale"].update(type=["number", "null"]),
     {(N, "became-nullable", "/properties/lora/properties/scale/type")}, "minor"),
    ("items-optional-added",
     lambda s: s["properties"]["loras"]["items"]["properties"].update(tag={"type": "string"}),
     {(N, "property-added", "/properties/loras/items/properties/tag")}, "minor"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "expected", "bump"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_nested_changes_are_classified_like_inputs(
    edit: Edit, expected: set[tuple[Category, str, str]], bump: str
) -> None:
    old = copy.deepcopy(INPUT)
    new = copy.deepcopy(INPUT)
    new["properties"]["lora"] = copy.deepcopy(LORA)
    new["properties"]["loras"] = {"type": "array", "items": copy.deepcopy(LORA)}
    edit(new)
    changes = [c for c in compare(spec(old), spec(new)) if c.category is not None]
    assert {(c.category, c.code, c.pointer) for c in changes} == expected, changes
    assert required_bump(changes) == bump
    assert all("\n" not in c.message for c in changes)


def test_nested_messages_name_the_nested_path() -> None:
    new = copy.deepcopy(INPUT)
    new["properties"]["loras"] = {"type": "array", "items": copy.deepcopy(LORA)}
    new["properties"]["loras"]["items"]["properties"]["scale"]["maximum"] = 1
    [change] = compare(spec(INPUT), spec(new))
    assert "loras[].scale: " in change.message and "maximum 4 -> maximum 1" in change.message
