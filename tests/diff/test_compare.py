"""Diff classification on a table of real-schema mutations (seeds and ../shared/corpus)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from generator.diff import (
    Category,
    Change,
    bump_version,
    compare,
    required_bump,
    spec_from_normalized,
)
from generator.schema.documented import DocumentedModel, load_model_file
from generator.schema.normalize import normalize
from tests.support.corpus import corpus_model
from tests.support.paths import ROOT

B, N, W = Category.BREAKING, Category.NON_BREAKING, Category.NOTEWORTHY
PORTRAIT = "community/fantasy-portrait/image-to-video"
RUNWAY = "runwayml/runway-aleph/video-to-video"
DREAMINA = "bytedance/dreamina-3-0/pro/image-to-video"
Mutation = Callable[[dict[str, Any]], None]


def bundled(model_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "schemas" / f"{model_id}.json").read_text("utf-8"))
    return data


def spec_of(data: dict[str, Any], names: dict[str, str] | None = None) -> Any:
    return normalize(
        DocumentedModel(
            model_id=data["model_id"],
            endpoint=data["endpoint"],
            source="test",
            example=data["example"],
            input_schema=data["input_schema"],
            output_schema=data["output_schema"],
            names=tuple(sorted((names or {}).items())),
        )
    )


def props(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["input_schema"]["properties"]
    return result


def renumber(old: str, new: str) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        schema = data["input_schema"]
        schema["properties"] = {new if k == old else k: v for k, v in props(data).items()}
        schema["required"] = [new if k == old else k for k in schema["required"]]

    return apply


def set_(key: str, **values: Any) -> Mutation:
    return lambda data: props(data)[key].update(values)


def optional_as_any_of(key: str) -> Mutation:
    """The property as pydantic writes ``Optional[X]``: ``anyOf [{type: X}, {type: null}]``."""

    def apply(data: dict[str, Any]) -> None:
        prop = props(data)[key]
        prop["anyOf"] = [{"type": prop.pop("type")}, {"type": "null"}]

    return apply


def drop(key: str, keyword: str | None = None) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        if keyword is None:
            del props(data)[key]
            data["input_schema"]["required"] = [
                k for k in data["input_schema"]["required"] if k != key
            ]
        else:
            del props(data)[key][keyword]

    return apply


def rule(key: str, index: int, **values: Any) -> Mutation:
    return lambda data: props(data)[key]["validations"][index].update(values)


def require(key: str, required: bool) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        keys = [k for k in data["input_schema"]["required"] if k != key]
        data["input_schema"]["required"] = [*keys, key] if required else keys

    return apply


def add(key: str, schema: dict[str, Any], required: bool = False) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        props(data)[key] = schema
        if required:
            data["input_schema"]["required"].append(key)

    return apply


def drop_output(key: str) -> Mutation:
    return lambda data: data["output_schema"]["output"]["properties"].pop(key)


# (model, mutation, expected {(category, code, wire_key)}, expected bump)
TABLE: list[tuple[str, Mutation, set[tuple[Category, str, str | None]], str]] = [
    (PORTRAIT, drop("149_cfg"), {(B, "property-removed", "149_cfg")}, "major"),
    (PORTRAIT, require("149_seed", True), {(B, "became-required", "149_seed")}, "major"),
    (PORTRAIT, require("143_image", False), {(N, "became-optional", "143_image")}, "minor"),
    (PORTRAIT, set_("150_strength", type="integer", default=1, minimum=1, maximum=2),
     {(B, "type-changed", "150_strength"), (B, "range-narrowed", "150_strength")}, "major"),
    (PORTRAIT, set_("149_seed", type="float"), {(N, "type-widened", "149_seed")}, "minor"),
    (PORTRAIT, set_("149_seed", type=["integer", "null"]),
     {(N, "became-nullable", "149_seed")}, "minor"),
    (PORTRAIT, optional_as_any_of("149_seed"), {(N, "became-nullable", "149_seed")}, "minor"),
    # An enum gains (or loses) null with its type: one change, not also an enum value null.
    (PORTRAIT, set_("174_value", type=["integer", "null"]),
     {(N, "became-nullable", "174_value")}, "minor"),
    (PORTRAIT, optional_as_any_of("174_value"), {(N, "became-nullable", "174_value")}, "minor"),
    (PORTRAIT, set_("174_value", enum=[81]), {(B, "enum-value-removed", "174_value")}, "major"),
    (PORTRAIT, set_("174_value", enum=[81, 141, 161]),
     {(N, "enum-value-added", "174_value")}, "minor"),
    (PORTRAIT, set_("149_steps", maximum=10), {(B, "range-narrowed", "149_steps")}, "major"),
    (PORTRAIT, set_("149_shift", minimum=0), {(N, "range-widened", "149_shift")}, "minor"),
    (PORTRAIT, drop("149_shift", "maximum"), {(N, "range-widened", "149_shift")}, "minor"),
    (PORTRAIT, set_("149_seed", minimum=0), {(B, "range-narrowed", "149_seed")}, "major"),
    (PORTRAIT, set_("149_seed", default=1), {(W, "default-changed", "149_seed")}, "patch"),
    (PORTRAIT, set_("149_shift", description="Shift."),
     {(W, "description-changed", "149_shift")}, "patch"),
    # Renumbering a ComfyUI workflow: same Python name, new wire key.
    (PORTRAIT, renumber("143_image", "212_image"), {(W, "wire-key-renamed", "212_image")}, "patch"),
    # A new title renames a node key's Python name: SDK-breaking, wire-compatible.
    (PORTRAIT, set_("149_cfg", title="CFG"),
     {(B, "python-name-changed", "149_cfg"), (W, "title-changed", "149_cfg")}, "major"),
    (PORTRAIT, drop_output("images"), {(B, "output-removed", "images")}, "major"),
    (PORTRAIT, add("151_lora", {"title": "LoRA", "type": "string", "default": "none"}),
     {(N, "property-added", "151_lora")}, "minor"),
    (PORTRAIT, add("151_lora", {"title": "LoRA", "type": "string"}, required=True),
     {(B, "required-property-added", "151_lora")}, "major"),
    (RUNWAY, set_("prompt", maxLength=500), {(B, "length-narrowed", "prompt")}, "major"),
    (RUNWAY, set_("prompt", maxLength=2000), {(N, "length-widened", "prompt")}, "minor"),
    (RUNWAY, set_("ratio", enum=["1280:720"]), {(B, "enum-value-removed", "ratio")}, "major"),
    (RUNWAY, rule("video_url", 0, validation_value=8),
     {(B, "rule-tightened", "video_url")}, "major"),
    (RUNWAY, rule("video_url", 0, validation_value=32),
     {(N, "rule-loosened", "video_url")}, "minor"),
    (RUNWAY, rule("video_url", 0, validation_rule="file_size_mb<="),
     {(N, "rule-loosened", "video_url")}, "minor"),
    (RUNWAY, drop("video_url", "validations"), {(N, "rule-loosened", "video_url")}, "minor"),
    (RUNWAY, set_("prompt", validations=[{"validation_rule": "file_size_mb<",
                                          "validation_value": 1, "validation_error": "x"}]),
     {(B, "rule-tightened", "prompt")}, "major"),
    (RUNWAY, rule("video_url", 0, validation_error="Max 16 MB."),
     {(W, "rule-message-changed", "video_url")}, "patch"),
    (DREAMINA, set_("image_urls", maxItems=2), {(N, "item-count-widened", "image_urls")}, "minor"),
    (DREAMINA, set_("image_urls", minItems=0), {(N, "item-count-widened", "image_urls")}, "minor"),
    (DREAMINA, set_("image_urls", maxItems=1, minItems=1,
                    items={"type": "string", "format": "video_uri"}),
     {(B, "media-changed", "image_urls")}, "major"),
    # seed 002's contradiction fixed the permissive way: ">" 320 becomes ">=" 320.
    (DREAMINA, rule("image_urls", 3, validation_rule="width_pixels>="),
     {(N, "rule-loosened", "image_urls")}, "minor"),
    (DREAMINA, rule("image_urls", 0, validation_value=3),
     {(B, "rule-tightened", "image_urls")}, "major"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("model_id", "mutation", "expected", "bump"),
    TABLE,
    ids=[f"{i}-{sorted(e)[0][1]}" for i, (_, _, e, _) in enumerate(TABLE)],
)
def test_seed_mutations_are_classified(
    model_id: str,
    mutation: Mutation,
    expected: set[tuple[Category, str, str | None]],
    bump: str,
) -> None:
    old = bundled(model_id)
    new = copy.deepcopy(old)
    mutation(new)
    changes = compare(spec_of(old), spec_of(new))
    assert {(c.category, c.code, c.wire_key) for c in changes} == expected, changes
    assert required_bump(changes) == bump
    for change in changes:
        assert "\n" not in change.message and change.message
    # The reverse direction is never silent either.
    assert compare(spec_of(new), spec_of(old))


def test_values_in_messages_are_spelled_as_json() -> None:
    old = bundled(PORTRAIT)
    new = copy.deepcopy(old)
    set_("169_valuex170_value", enum=["480x480 (1:1)", "tiny"])(new)
    set_("149_seed", default=None)(new)
    messages = sorted(c.message for c in compare(spec_of(old), spec_of(new)))
    assert any('enum value(s) added: ["tiny"]' in m for m in messages), messages
    assert any("default 96860978 -> none" in m for m in messages), messages
    assert not any("None" in m or "'tiny'" in m for m in messages), messages


def test_renumbering_breaks_wire_callers_but_not_the_sdk() -> None:
    old = bundled(PORTRAIT)
    new = copy.deepcopy(old)
    renumber("143_image", "212_image")(new)
    renumber("149_cfg", "301_cfg")(new)
    (change, second) = compare(spec_of(old), spec_of(new))
    assert change.python_name == "image" and change.old == "143_image"
    assert change.category is W and change.wire is B
    assert second.python_name == "guidance_scale" and second.wire_key == "301_cfg"


def test_python_name_change_leaves_wire_callers_unaffected() -> None:
    old = bundled(PORTRAIT)
    (change,) = compare(spec_of(old), spec_of(old, {"149_cfg": "cfg"}))
    assert change.code == "python-name-changed" and change.wire is None


def test_added_and_removed_models() -> None:
    spec = spec_of(bundled(RUNWAY))
    assert [c.code for c in compare(None, spec)] == ["model-added"]
    assert required_bump(compare(spec, None)) == "major"
    assert compare(None, None) == []


def test_corpus_mutations(corpus: list[dict[str, Any]]) -> None:
    """Real corpus schemas: unchanged ones compare equal; typical edits classify as expected."""
    enum_models = 0
    for entry in corpus:
        spec = normalize(corpus_model(entry))
        assert compare(spec, normalize(corpus_model(copy.deepcopy(entry)))) == []
        for key, prop in entry["input_schema"]["properties"].items():
            if isinstance(prop.get("enum"), list) and len(prop["enum"]) > 1:
                mutated = copy.deepcopy(entry)
                mutated_prop = mutated["input_schema"]["properties"][key]
                mutated_prop["enum"] = mutated_prop["enum"][:-1]
                if mutated_prop.get("default") == prop["enum"][-1]:
                    mutated_prop["default"] = mutated_prop["enum"][0]
                codes = {c.code for c in compare(spec, normalize(corpus_model(mutated)))}
                assert "enum-value-removed" in codes, (entry["model_id"], key)
                assert codes <= {"enum-value-removed", "default-changed"}
                enum_models += 1
                break
    assert enum_models > 50


def test_spec_from_normalized_round_trips(corpus: list[dict[str, Any]]) -> None:
    """generate compares with generated/schemas/: reading a model back loses nothing diff uses."""
    models = [load_model_file(p) for p in sorted((ROOT / "schemas").rglob("*.json"))]
    models += [corpus_model(e) for e in corpus]
    for model in models:
        spec = normalize(model)
        back = spec_from_normalized(
            spec.model_id,
            json.loads(json.dumps(spec.input_schema)),
            json.loads(json.dumps(spec.output_schema)),
            names=dict(model.names),
            endpoint=spec.endpoint,
        )
        assert compare(spec, back) == [], spec.model_id
        assert [f.python_name for f in back.fields] == [f.python_name for f in spec.fields]


@pytest.mark.parametrize(
    ("version", "bump", "expected"),
    [
        ("0.1.0", "major", "1.0.0"),
        ("1.4.2", "major", "2.0.0"),
        ("1.4.2", "minor", "1.5.0"),
        ("1.4.2", "patch", "1.4.3"),
        ("1.4.2", "none", "1.4.2"),
    ],
)
def test_bump_version(version: str, bump: Any, expected: str) -> None:
    assert bump_version(version, bump) == expected


def test_bump_version_refuses_other_versions() -> None:
    with pytest.raises(ValueError, match=r"MAJOR\.MINOR\.PATCH"):
        bump_version("1.0", "minor")


def test_required_bump_orders_categories() -> None:
    def change(category: Category) -> Change:
        return Change(category, "x", "m", "input")

    assert required_bump([]) == "none"
    assert required_bump([change(W)]) == "patch"
    assert required_bump([change(W), change(N)]) == "minor"
    assert required_bump([change(N), change(B), change(W)]) == "major"


def test_docs_list_every_change_code() -> None:
    import re

    source = (ROOT / "generator" / "diff" / "compare.py").read_text("utf-8")
    codes = set(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', source))
    codes |= {f"{noun}-{how}" for noun in ("range", "length", "item-count")
              for how in ("narrowed", "widened")}  # fmt: skip
    codes -= {"item-count"}  # a noun, combined with narrowed/widened above
    docs = (ROOT / "docs" / "diff.md").read_text("utf-8")
    missing = sorted(c for c in codes if f"`{c}`" not in docs)
    assert missing == []


@pytest.mark.parametrize(
    ("old_items", "new_items", "expected"),
    [
        ({"type": "string"}, {"type": ["string", "null"]}, (N, "became-nullable", "/items/type")),
        (
            {"type": ["null", "string"]},
            {"type": "string"},
            (B, "no-longer-nullable", "/items/type"),
        ),
        (
            {"type": "string", "enum": ["a"]},
            {"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "null"}]},
            (N, "became-nullable", "/items/type"),
        ),
    ],
)
def test_items_that_may_be_null_change_nullability_not_type(
    old_items: dict[str, Any], new_items: dict[str, Any], expected: tuple[Category, str, str]
) -> None:
    old = bundled(PORTRAIT)
    props(old)["tags"] = {"type": "array", "items": old_items}
    new = copy.deepcopy(old)
    props(new)["tags"]["items"] = new_items
    changes = compare(spec_of(old), spec_of(new))
    assert [(c.category, c.code, c.pointer.rsplit("tags", 1)[-1]) for c in changes] == [expected], (
        changes
    )
