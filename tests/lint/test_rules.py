"""Every lint rule: a documented model that triggers it and the corrected one that does not."""

from __future__ import annotations

from typing import Any

import pytest

from generator.lint.checks import lint_model
from generator.lint.rules import RULES, Severity
from generator.schema.documented import DocumentedModel
from tests.support.corpus import STANDARD_OUTPUT_SCHEMA
from tests.support.paths import ROOT

IMAGE = "https://example.com/cat.png"


def model(
    properties: dict[str, Any],
    required: list[str] | None = None,
    example: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
) -> DocumentedModel:
    return DocumentedModel(
        model_id="test/model/run",
        endpoint="https://model-api.runcomfy.net/v1/models/test/model/run",
        source="test.txt",
        example=example,
        input_schema={"type": "object", "required": required or [], "properties": properties},
        output_schema=STANDARD_OUTPUT_SCHEMA,
        file="test.json",
        names=tuple(sorted((names or {}).items())),
    )


def prop(**schema: Any) -> dict[str, Any]:
    return {"title": "T", **schema}


def rule_entry(rule: str, value: Any, message: str) -> dict[str, Any]:
    return {"validation_rule": rule, "validation_value": value, "validation_error": message}


# (code, pointer of the finding, bad model, good model)
CASES: list[tuple[str, str, DocumentedModel, DocumentedModel]] = [
    (
        "RC001",
        "/input_schema/properties/p/items",
        model({"p": prop(type="array", items=[{"type": "string"}])}),
        model({"p": prop(type="array", items={"type": "string"})}),
    ),
    (
        "RC101",
        "/input_schema/properties/p/type",
        model({"p": prop(type="float")}),
        model({"p": prop(type="number")}),
    ),
    (
        "RC102",
        "/input_schema/properties/p/type",
        model({"p": prop(type="tensor")}),
        model({"p": prop(type="string")}),
    ),
    (
        "RC103",
        "/input_schema/properties/p/format",
        model({"p": prop(type="string", format="colour")}),
        model({"p": prop(type="string", format="email")}),
    ),
    (
        "RC104",
        "/input_schema/properties/p/format",
        model({"p": prop(type="array", items={"type": "string"}, format="image_uri")}),
        model({"p": prop(type="array", items={"type": "string"}, format="image_uris")}),
    ),
    (
        "RC105",
        "/input_schema/properties/image/validations/0/validation_rule",
        model({"image": prop(type="string", validations=[rule_entry("depth_mm<", 3, "x")])}),
        model(
            {"image": prop(type="string", validations=[rule_entry("file_size_mb<", 3, "x")])}
        ),
    ),
    (
        "RC106",
        "/input_schema/properties/p/$ref",
        model({"p": prop(type="string", **{"$ref": "/etc/passwd"})}),
        model({"p": prop(type="string", **{"$ref": "#/properties/q"}), "q": prop(type="string")}),
    ),
    (
        "RC107",
        "/input_schema/properties/p",
        model({"p": prop(enum=["fast", "slow"])}),
        model({"p": prop(type="string", enum=["fast", "slow"])}),
    ),
    (
        "RC107",
        "/input_schema/properties/p",
        model({"p": prop(default=42)}),
        model({"p": prop(type="integer", default=42)}),
    ),
    (
        "RC108",
        "/input_schema/properties/p/type",
        model({"p": prop(type="INT", default=20)}),
        model({"p": prop(type="integer", default=20)}),
    ),
    (
        "RC201",
        "/input_schema/properties/n/default",
        model({"n": prop(type="integer", minimum=1, maximum=10, default=20)}),
        model({"n": prop(type="integer", minimum=1, maximum=10, default=5)}),
    ),
    (
        "RC201",
        "/input_schema/properties/s/default",
        model({"s": prop(type="string", enum=["a", "b"], default="c")}),
        model({"s": prop(type="string", enum=["a", "b"], default="b")}),
    ),
    (
        "RC201",
        "/input_schema/properties/s/default",
        model({"s": prop(type="string", maxLength=3, default="long")}),
        model({"s": prop(type="string", maxLength=4, default="long")}),
    ),
    (
        "RC201",
        "/input_schema/properties/images/default",
        model({"images": prop(type="array", items={"type": "string"}, maxItems=1,
                              default=[IMAGE, IMAGE])}),
        model({"images": prop(type="array", items={"type": "string"}, maxItems=2,
                              default=[IMAGE, IMAGE])}),
    ),
    (
        "RC202",
        "/input_schema/properties/n/minimum",
        model({"n": prop(type="integer", minimum=10, maximum=1)}),
        model({"n": prop(type="integer", minimum=1, maximum=10)}),
    ),
    (
        "RC202",
        "/input_schema/properties/s/minLength",
        model({"s": prop(type="string", minLength=5, maxLength=2)}),
        model({"s": prop(type="string", minLength=2, maxLength=5)}),
    ),
    (
        "RC203",
        "/input_schema/properties/n/enum/2",
        model({"n": prop(type="integer", enum=[81, 141, 81])}),
        model({"n": prop(type="integer", enum=[81, 141])}),
    ),
    (
        "RC204",
        "/input_schema/properties/n/enum",
        model({"n": prop(type="integer", enum=[81, "141"])}),
        model({"n": prop(type="integer", enum=[81, 141])}),
    ),
    (
        "RC204",
        "/input_schema/properties/s/enum",
        model({"s": prop(type="string", enum=[720, 1080])}),
        model({"s": prop(type="string", enum=["720", "1080"])}),
    ),
    (
        "RC205",
        "/input_schema/required/1",
        model({"prompt": prop(type="string")}, required=["prompt", "promt"]),
        model({"prompt": prop(type="string")}, required=["prompt"]),
    ),
    (
        "RC301",
        "/example/n",
        model({"n": prop(type="integer")}, example={"n": "five"}),
        model({"n": prop(type="integer")}, example={"n": 5}),
    ),
    (
        "RC302",
        "/input_schema/properties/143_image/default",
        model({"143_image": prop(type="string", default="Runcomfy_example_1268_1.png")}),
        model({"143_image": prop(type="string", default=IMAGE)}),
    ),
    (
        "RC302",
        "/input_schema/properties/images/default/0",
        model({"images": prop(type="array", items={"type": "string", "format": "image_uri"},
                              default=["http://example.com/a.png"])}),
        model({"images": prop(type="array", items={"type": "string", "format": "image_uri"},
                              default=[IMAGE])}),
    ),
    (
        "RC401",
        "/input_schema/properties/image/validations/0/validation_error",
        model({"image": prop(type="string", validations=[
            rule_entry("width_pixels>", 320, "The shortest side must be at least 320 pixels.")])}),
        model({"image": prop(type="string", validations=[
            rule_entry("width_pixels>=", 320, "The shortest side must be at least 320 pixels.")])}),
    ),
    (
        "RC401",
        "/input_schema/properties/image/validations/0/validation_error",
        model({"image": prop(type="string", validations=[
            rule_entry("file_size_mb<", 16, "File size must be greater than 16 MB.")])}),
        model({"image": prop(type="string", validations=[
            rule_entry("file_size_mb<", 16, "File size must be less than 16 MB.")])}),
    ),
    (
        "RC401",
        "/input_schema/properties/image/validations/0/validation_error",
        model({"image": prop(type="string", validations=[
            rule_entry("file_size_mb<", 16, "File size must be less than 10 MB.")])}),
        model({"image": prop(type="string", validations=[
            rule_entry("file_size_mb<", 10, "File size must be less than 10 MB.")])}),
    ),
    (
        "RC501",
        "/input_schema/properties/1_seed",
        model({"seed": prop(type="integer"), "1_seed": {"title": "Seed", "type": "integer"}}),
        model({"seed": prop(type="integer"), "1_seed": {"title": "Seed", "type": "integer"}},
              names={"1_seed": "noise_seed"}),
    ),
    (
        "RC502",
        "/input_schema/properties/提示",
        model({"提示": {"title": "提示", "type": "string"}}),
        model({"提示": {"title": "Prompt", "type": "string"}}),
    ),
    (
        "RC503",
        "/input_schema/properties/p",
        model({"p": {"type": "string"}}),
        model({"p": {"type": "string", "title": "P"}}),
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "pointer", "bad", "good"),
    CASES,
    ids=[f"{code}-{i}" for i, (code, *_) in enumerate(CASES)],
)
def test_rule_fires_on_bad_and_not_on_good(
    code: str, pointer: str, bad: DocumentedModel, good: DocumentedModel
) -> None:
    found = [f for f in lint_model(bad) if f.code == code]
    assert [f.pointer for f in found] == [pointer], lint_model(bad)
    assert found[0].file == "test.json" and found[0].message and found[0].hint
    assert "\n" not in found[0].message
    assert [f for f in lint_model(good) if f.code == code] == []


def test_every_rule_has_a_case_and_a_unique_code() -> None:
    codes = [r.code for r in RULES]
    assert len(set(codes)) == len(codes)
    assert {code for code, *_ in CASES} == set(codes)


def test_refused_model_is_reported_not_raised() -> None:
    """What normalize refuses shows up as findings, and the other properties are still linted."""
    bad = model(
        {
            "p": prop(type="tensor"),
            "n": prop(type="integer", minimum=5, default=1),
            "image": prop(type="string", validations=[rule_entry("file_size_mb<<", 3, "x")]),
        },
        example={"n": 7, "q": 1},
    )
    found = {(f.code, f.pointer) for f in lint_model(bad)}
    assert ("RC102", "/input_schema/properties/p/type") in found
    assert ("RC201", "/input_schema/properties/n/default") in found
    assert ("RC105", "/input_schema/properties/image/validations/0/validation_rule") in found
    # The example is still checked (an unknown key is refused) though normalize failed.
    assert ("RC301", "/example") in found
    # normalize's own refusal is not reported twice.
    assert not any(code == "RC001" for code, _ in found)


def test_bad_validation_entries_are_each_reported_at_their_index() -> None:
    bad = model(
        {
            "image": prop(
                type="string",
                validations=[
                    rule_entry("file_size_mb<", 3, "File size must be less than 3 MB."),
                    rule_entry("file_size_mb<", "big", "x"),
                ],
            ),
            "video": prop(type="string", validations={"validation_rule": "file_size_mb<"}),
        }
    )
    found = [(f.code, f.pointer) for f in lint_model(bad) if f.code == "RC105"]
    assert found == [
        ("RC105", "/input_schema/properties/image/validations/1/validation_value"),
        ("RC105", "/input_schema/properties/video/validations"),
    ]


def test_float_is_info_and_unknown_type_is_error() -> None:
    severities = {f.code: f.severity for f in lint_model(model({"a": prop(type="float")}))}
    assert severities == {"RC101": Severity.INFO}


def test_docs_list_every_rule_with_examples() -> None:
    docs = (ROOT / "docs" / "lint-rules.md").read_text("utf-8")
    for r in RULES:
        section = docs.split(f"### {r.code}\n", 1)[1].split("\n### ", 1)[0]
        assert f"`{r.name}`, **{r.severity.value}**" in section, r.code
        assert "bad:" in section and "good:" in section, r.code


def test_a_property_that_may_be_null_lists_null_without_a_mixed_enum_finding() -> None:
    nullable = model({"p": prop(type=["string", "null"], enum=["a", None])})
    pydantic_optional = model(
        {"p": prop(anyOf=[{"type": "string", "enum": ["a"]}, {"type": "null"}])}
    )
    for documented in (nullable, pydantic_optional):
        assert [f.code for f in lint_model(documented)] == []
    mixed = model({"p": prop(type="string", enum=["a", None])})
    assert [f.code for f in lint_model(mixed)] == ["RC204"]


def test_a_media_input_that_may_be_null_fits_its_format() -> None:
    image = model({"p": prop(type=["string", "null"], format="image_uri")})
    images = model(
        {"p": prop(type=["array", "null"], format="image_uris", items={"type": "string"})}
    )
    assert [f.code for f in lint_model(image) + lint_model(images)] == []


def test_a_refused_model_with_a_property_that_may_be_null_still_checks_its_example() -> None:
    """When normalize refuses the model, the example is checked against a stand-in schema;
    a "type": [X, "null"] property there was an internal error (a list is not hashable)."""
    refused = model(
        {
            "p": prop(type="tensor"),
            "n": prop(type=["integer", "null"], minimum=1),
            "f": prop(type=["float", "null"]),
        },
        example={"n": None, "f": "x"},
    )
    found = {(f.code, f.pointer) for f in lint_model(refused)}
    assert ("RC102", "/input_schema/properties/p/type") in found
    assert ("RC301", "/example/f") in found  # "x" is no number or null; n: null is fine
    assert ("RC301", "/example/n") not in found


@pytest.mark.parametrize("spelled", [[{}], [["x"]], {"a": 1}, ["string", {"type": "null"}]])
def test_a_type_that_is_no_name_is_an_unknown_type_not_an_internal_error(spelled: Any) -> None:
    found = {(f.code, f.pointer) for f in lint_model(model({"p": prop(type=spelled)}))}
    index = next((i for i, s in enumerate(spelled) if not isinstance(s, str)), None)
    at = "/input_schema/properties/p/type" + ("" if isinstance(spelled, dict) else f"/{index}")
    assert ("RC102", at) in found, found


def test_a_choice_without_a_type_that_lists_null_is_inferred_not_mixed() -> None:
    found = [f.code for f in lint_model(model({"p": prop(enum=["fast", None])}))]
    assert found == ["RC107"]


def test_a_type_read_from_keywords_is_an_info_finding() -> None:
    found = lint_model(model({"p": prop(maxLength=10)}))
    assert [(f.code, f.message) for f in found] == [
        ("RC107", "no type; read as 'string' from its keywords")
    ]


def test_a_media_input_whose_type_is_inferred_fits_its_format() -> None:
    """Lint reads the type normalize infers (from the default here), not a missing one."""
    image = model({"p": prop(format="image_uri", default="https://x.example/a.png")})
    assert [f.code for f in lint_model(image)] == ["RC107"]
