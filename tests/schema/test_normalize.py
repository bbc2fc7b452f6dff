from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import generator.schema
from generator.errors import InputError
from generator.pages.store import read_page
from generator.schema.documented import DocumentedModel, load_model_file
from generator.schema.ir import MediaKind, Metric, Operator
from generator.schema.ir_json import spec_to_json
from generator.schema.normalize import normalize
from tests.support.corpus import STANDARD_OUTPUT_SCHEMA
from tests.support.paths import ROOT
from tests.support.snapshots import check_snapshot

BUNDLED = sorted((ROOT / "schemas").rglob("*.json"))
VOCABULARY = Path(generator.schema.__file__).parent / "vocabulary"


def model(
    properties: dict[str, Any], required: list[str] | None = None, **extra: Any
) -> DocumentedModel:
    return DocumentedModel(
        model_id="test/model/run",
        endpoint="https://model-api.runcomfy.net/v1/models/test/model/run",
        source="test.txt",
        example=extra.get("example"),
        input_schema={"type": "object", "required": required or [], "properties": properties},
        output_schema=STANDARD_OUTPUT_SCHEMA,
        file="test.json",
    )


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.relative_to(ROOT / "schemas").as_posix())
def test_bundled_models_are_valid_and_names_match_snapshots(path: Path) -> None:
    spec = normalize(load_model_file(path))
    Draft202012Validator.check_schema(spec.input_schema)
    Draft202012Validator.check_schema(spec.output_schema)
    # The normalized schema itself is part of the golden record (generated/schemas/, compared
    # byte for byte by tests/generated/test_golden.py); only the names have no other record.
    stem = path.relative_to(ROOT / "schemas").with_suffix("").as_posix().replace("/", "__")
    names = {f.wire_key: f.python_name for f in spec.fields}
    check_snapshot(f"normalized/{stem}.names.json", json.dumps(names, indent=2) + "\n")


def test_seed_python_names_are_the_documented_ones() -> None:
    spec = normalize(
        load_model_file(ROOT / "schemas/community/fantasy-portrait/image-to-video.json")
    )
    names = {f.wire_key: f.python_name for f in spec.fields}
    assert names["143_image"] == "image"
    assert names["155_positive_prompt"] == "prompt"
    assert names["169_valuex170_value"] == "resolution"
    assert names["174_value"] == "number_of_frames"
    assert names["149_cfg"] == "guidance_scale"


def test_two_pages_of_one_model_normalize_identically(seed_pages: list[Path]) -> None:
    by_name = {p.name[:3]: p for p in seed_pages}
    japanese = normalize(read_page(by_name["000"]))
    german = normalize(read_page(by_name["003"]))
    assert japanese.input_schema == german.input_schema
    assert [f.python_name for f in japanese.fields] == [f.python_name for f in german.fields]


def test_float_becomes_number_and_documented_quirks_have_meaning() -> None:
    spec = normalize(
        model(
            {
                "149_cfg": {"title": "CFG", "type": "float", "default": 1, "description": ""},
                "image_urls": {
                    "type": "array",
                    "format": "image_uris",
                    "maxItems": 2,
                    "validations": [
                        {
                            "validation_rule": "file_size_mb<",
                            "validation_value": 4.7,
                            "validation_error": "Too big.",
                        },
                        {
                            "validation_rule": "width/height>=",
                            "validation_value": 0.5,
                            "validation_error": "Too narrow.",
                        },
                    ],
                },
                "clip": {"type": "string", "format": "video_uri", "default": None},
            },
            required=["image_urls"],
        )
    )
    schema = spec.input_schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:runcomfy:model:test/model/run:input"
    assert schema["additionalProperties"] is False
    cfg = schema["properties"]["149_cfg"]
    assert cfg == {"title": "CFG", "type": "number", "default": 1}
    images = schema["properties"]["image_urls"]
    assert "format" not in images
    assert images["items"]["format"] == "uri"
    assert images["items"]["contentMediaType"] == "image/*"
    assert images["items"]["x-runcomfy-validations"][1] == {
        "metric": "width/height",
        "operator": ">=",
        "value": 0.5,
        "message": "Too narrow.",
    }
    clip = schema["properties"]["clip"]
    assert clip == {"type": "string", "format": "uri", "contentMediaType": "video/*"}
    field = spec.field_by_key("image_urls")
    assert field.media is MediaKind.VIDEO or field.media is MediaKind.IMAGE
    assert field.media is MediaKind.IMAGE
    assert field.rules[1].metric is Metric.ASPECT_RATIO
    assert field.rules[1].operator is Operator.GE
    assert not spec.field_by_key("clip").has_default
    assert spec.field_by_key("clip").media is MediaKind.VIDEO


def test_output_schema_is_unwrapped() -> None:
    spec = normalize(model({"prompt": {"type": "string"}}))
    assert spec.output_schema["type"] == "object"
    assert set(spec.output_schema["properties"]) == {"image", "video", "images", "videos"}
    assert spec.output_schema["$id"] == "urn:runcomfy:model:test/model/run:output"


def test_defaults_and_example_are_checked_and_reported() -> None:
    spec = normalize(
        model(
            {"n": {"type": "integer", "minimum": 1, "default": 0}, "image": {"type": "string"}},
            example={"n": 2, "image": "not a url", "typo": 1},
        )
    )
    codes = sorted((d.code, d.pointer) for d in spec.diagnostics)
    assert ("default-invalid", "/input_schema/properties/n/default") in codes
    assert ("example-invalid", "/example/image") in codes
    assert ("example-invalid", "/example") in codes  # the unknown key "typo"


def test_normalized_schemas_follow_the_shipped_vocabulary() -> None:
    dialect = json.loads((VOCABULARY / "dialect.schema.json").read_text(encoding="utf-8"))
    vocab = json.loads((VOCABULARY / "validations.schema.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resources(
        [(d["$id"], Resource.from_contents(d, DRAFT202012)) for d in (dialect, vocab)]
    )
    checker = Draft202012Validator(dialect, registry=registry)
    spec = normalize(
        load_model_file(ROOT / "schemas/bytedance/dreamina-3-0/pro/image-to-video.json")
    )
    checker.validate(spec.input_schema)
    broken = copy.deepcopy(spec.input_schema)
    broken["properties"]["image_urls"]["items"]["x-runcomfy-validations"][0]["metric"] = "bogus"
    assert list(checker.iter_errors(broken))


@pytest.mark.parametrize(
    ("prop", "pointer", "message"),
    [
        ({"type": "tensor"}, "/input_schema/properties/p/type", "unknown type 'tensor'"),
        (
            {
                "type": "string",
                "validations": [
                    {
                        "validation_rule": "duration_s<",
                        "validation_value": 3,
                        "validation_error": "x",
                    }
                ],
            },
            "/input_schema/properties/p/validations/0/validation_rule",
            "unknown validation metric",
        ),
        (
            {
                "type": "string",
                "validations": [
                    {
                        "validation_rule": "file_size_mb!=",
                        "validation_value": 3,
                        "validation_error": "x",
                    }
                ],
            },
            "/input_schema/properties/p/validations/0/validation_rule",
            "is not <metric><operator>",
        ),
        (
            {
                "type": "string",
                "validations": [
                    {
                        "validation_rule": "file_size_mb<",
                        "validation_value": "16",
                        "validation_error": "x",
                    }
                ],
            },
            "/input_schema/properties/p/validations/0/validation_value",
            "finite number",
        ),
        (
            {"type": "integer", "minimum": "1"},
            "/input_schema/properties/p",
            "not a valid JSON Schema",
        ),
        (
            {"type": "string", "format": "image_uris"},
            "/input_schema/properties/p/format",
            "does not fit type",
        ),
        ("nope", "/input_schema/properties/p", "must be an object"),
    ],
)
def test_errors_name_file_and_pointer(prop: Any, pointer: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        normalize(model({"p": prop}))
    assert caught.value.file == "test.json"
    assert caught.value.pointer is not None and caught.value.pointer.startswith(pointer)
    assert message in caught.value.message


def test_required_key_missing_from_properties_is_an_error() -> None:
    with pytest.raises(InputError, match=r"test.json#/input_schema/required/0: required key 'x'"):
        normalize(model({"p": {"type": "string"}}, required=["x"]))


def test_ir_json_is_plain_json() -> None:
    spec = normalize(load_model_file(ROOT / "schemas/runwayml/runway-aleph/video-to-video.json"))
    document = spec_to_json(spec)
    assert json.loads(json.dumps(document)) == document
    assert document["fields"][0]["rules"][0]["metric"] == "file_size_mb"


@pytest.mark.parametrize(
    ("prop", "inferred"),
    [
        ({"enum": ["fast", "slow"]}, "string"),
        ({"enum": [81, 141]}, "integer"),
        ({"enum": [0.5, 1]}, "number"),
        ({"enum": [True, False]}, "boolean"),
        ({"const": "v2"}, "string"),
    ],
)
def test_a_choice_without_a_type_gets_the_type_of_its_values(
    prop: dict[str, Any], inferred: str
) -> None:
    spec = normalize(model({"p": {"title": "P", **prop}}))
    assert spec.input_schema["properties"]["p"]["type"] == inferred
    assert spec.fields[0].constraints.types == (inferred,)
    assert [(d.code, d.pointer) for d in spec.diagnostics] == [
        ("type-inferred", "/input_schema/properties/p")
    ]


def test_a_choice_without_a_type_that_lists_null_may_be_null() -> None:
    spec = normalize(model({"p": {"title": "P", "enum": ["fast", None]}}))
    assert spec.input_schema["properties"]["p"]["type"] == ["string", "null"]
    assert spec.fields[0].json_type == "string" and "null" in spec.fields[0].constraints.types


@pytest.mark.parametrize(
    ("spelled", "json_type"),
    [
        ("FLOAT", "number"),
        ("double", "number"),
        ("INT", "integer"),
        ("Integer", "integer"),
        ("bool", "boolean"),
        ("BOOLEAN", "boolean"),
        ("str", "string"),
        ("STRING", "string"),
        (["INT", "null"], ["integer", "null"]),
    ],
)
def test_other_spellings_of_a_json_type_are_read_as_it(spelled: Any, json_type: Any) -> None:
    """ComfyUI writes INT, FLOAT, STRING, BOOLEAN; Python-minded pages int, bool, str."""
    spec = normalize(model({"p": {"title": "P", "type": spelled}}))
    assert spec.input_schema["properties"]["p"]["type"] == json_type
    assert spec.fields[0].json_type == (json_type if isinstance(json_type, str) else json_type[0])


@pytest.mark.parametrize(
    ("default", "json_type"),
    [(42, "integer"), (0.5, "number"), ("euler", "string"), (True, "boolean"), ([1], "array")],
)
def test_without_a_type_or_enum_the_default_gives_the_type(default: Any, json_type: str) -> None:
    spec = normalize(model({"p": {"title": "P", "default": default}}))
    assert spec.input_schema["properties"]["p"]["type"] == json_type
    assert spec.input_schema["properties"]["p"]["default"] == default
    [note] = [d for d in spec.diagnostics if d.code == "type-inferred"]
    assert "its default" in note.message and note.pointer == "/input_schema/properties/p"


@pytest.mark.parametrize(
    ("keywords", "json_type"),
    [
        ({"items": {"type": "string"}, "maxItems": 3}, "array"),
        ({"maxLength": 100}, "string"),
        ({"minimum": 0, "maximum": 1}, "number"),
        ({"format": "image_uri"}, "string"),
        ({"format": "image_uris", "items": {"type": "string"}}, "array"),
        ({"properties": {"a": {"type": "string"}}}, "object"),
    ],
)
def test_without_type_enum_or_default_the_keywords_give_the_type(
    keywords: dict[str, Any], json_type: str
) -> None:
    spec = normalize(model({"p": {"title": "P", **keywords}}))
    assert spec.input_schema["properties"]["p"]["type"] == json_type
    [note] = [d for d in spec.diagnostics if d.code == "type-inferred"]
    assert "its keywords" in note.message


@pytest.mark.parametrize(
    ("bounds", "json_type"),
    [
        ({"minimum": 0, "maximum": 2.5}, "number"),
        ({"multipleOf": 0.05}, "number"),
        ({"exclusiveMinimum": 0.5}, "number"),
        ({"minimum": 0, "maximum": 10.0}, "integer"),  # 10.0 is a whole number
        ({"minimum": 0, "maximum": 10}, "integer"),
    ],
)
def test_an_integer_default_with_fractional_bounds_is_a_number(
    bounds: dict[str, Any], json_type: str
) -> None:
    """{"default": 1, "maximum": 2.5}: the setting takes 1.5, so it is no integer."""
    spec = normalize(model({"p": {"title": "P", "default": 1, **bounds}}))
    assert spec.input_schema["properties"]["p"]["type"] == json_type


@pytest.mark.parametrize(
    "prop",
    [
        {"enum": ["1", 1]},
        {"enum": [None]},
        {"enum": []},
        {"title": "no enum"},
        {"title": "null default", "default": None},
        {"minLength": 1, "minimum": 0},  # keywords of two types
        {"format": "image_uri", "maxItems": 2},
        {"enum": ["1", 1], "default": "1"},  # the values decide, not the default
    ],
)
def test_without_a_type_and_one_type_of_values_a_property_is_refused(
    prop: dict[str, Any],
) -> None:
    with pytest.raises(InputError, match="property has no type") as caught:
        normalize(model({"p": prop}))
    assert caught.value.pointer == "/input_schema/properties/p"


def test_items_of_several_types_are_described_not_kept_as_a_list() -> None:
    spec = normalize(model({"tags": {"type": "array", "items": {"type": ["string", "null"]}}}))
    assert spec.fields[0].item_type == "string or null"
    assert spec_to_json(spec)["fields"][0]["item_type"] == "string or null"


@pytest.mark.parametrize(
    "prop",
    [
        {"type": ["integer", "null"], "minimum": 0},
        {"type": ["null", "integer"], "minimum": 0},
        {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
        {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 0}], "default": None},
        {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
    ],
)
def test_a_property_that_may_be_null_keeps_its_one_type(prop: dict[str, Any]) -> None:
    spec = normalize(model({"seed": prop}))
    field = spec.fields[0]
    assert field.json_type == "integer" and "null" in field.constraints.types
    assert field.constraints.minimum == 0 and "anyOf" not in spec.input_schema["properties"]["seed"]


def test_optional_enum_of_pydantic_gains_null() -> None:
    prop = {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}], "title": "M"}
    schema = normalize(model({"m": prop})).input_schema["properties"]["m"]
    assert schema == {"title": "M", "type": ["string", "null"], "enum": ["a", "b", None]}


@pytest.mark.parametrize(
    "prop",
    [
        {"type": ["string", "null"], "enum": ["a", "b"]},
        {"type": ["null", "string"], "enum": ["a", "b"]},
        {"type": "array", "items": {"type": ["string", "null"], "enum": ["a", "b"]}},
    ],
)
def test_an_enum_of_a_property_that_may_be_null_gains_null(prop: dict[str, Any]) -> None:
    # "type": [X, "null"] says null is allowed; an enum without null rejected it, while the
    # Python type (Literal[...] | None), the docs ("or null") and diff's became-nullable allowed
    # it: run --set m=null passed the type and failed the enum.
    schema = normalize(model({"m": prop})).input_schema["properties"]["m"]
    target = schema.get("items", schema)
    assert target["enum"] == ["a", "b", None]
    assert Draft202012Validator(schema).is_valid([None] if "items" in schema else None)


def test_a_const_of_a_property_that_may_be_null_allows_null_too() -> None:
    # {"type": ["string", "null"], "const": "z"} was typed Literal["z"] | None while its const
    # rejected null; it is the enum ["z", null].
    prop = {"type": ["string", "null"], "const": "z"}
    schema = normalize(model({"m": prop})).input_schema["properties"]["m"]
    assert schema == {"type": ["string", "null"], "enum": ["z", None]}
    assert Draft202012Validator(schema).is_valid(None)


@pytest.mark.parametrize(
    ("prop", "pointer", "message"),
    [
        ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, "/anyOf", "anyOf is supported"),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, "/oneOf", "oneOf is supported"),
        ({"allOf": [{"type": "string"}, {"type": "null"}]}, "/allOf", "allOf is not supported"),
        ({"type": "null"}, "/type", "one type other than null"),
        ({"type": ["string", "integer"]}, "/type", "one type and null"),
    ],
)
def test_other_unions_are_refused_at_their_pointer(
    prop: dict[str, Any], pointer: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        normalize(model({"p": prop}))
    assert caught.value.pointer == "/input_schema/properties/p" + pointer


@pytest.mark.parametrize(
    ("key", "prop"),
    [
        ("ref", {"type": ["string", "null"], "format": "image_uri"}),
        ("ref", {"anyOf": [{"type": "string", "format": "image_uri"}, {"type": "null"}]}),
        ("reference_image", {"type": ["string", "null"]}),  # media inferred from the name
    ],
)
def test_a_media_input_that_may_be_null_is_still_a_media_url(key: str, prop: Any) -> None:
    spec = normalize(model({key: prop}))
    assert spec.fields[0].media is MediaKind.IMAGE
    assert spec.input_schema["properties"][key]["format"] == "uri"


@pytest.mark.parametrize(
    ("prop", "pointer"),
    [
        ({"type": "string", "anyOf": [{"maxLength": 3}, {"type": "null"}]}, "/anyOf"),
        ({"type": "string", "not": {"enum": ["x"]}}, "/not"),
        ({"type": "integer", "if": {"minimum": 5}, "then": {"multipleOf": 5}}, "/if"),
        ({"type": "object", "minProperties": 1}, "/minProperties"),
        ({"type": "array", "items": {"type": "string"}, "contains": {"const": "a"}}, "/contains"),
        ({"type": "object", "additionalProperties": {"type": "string"}}, "/additionalProperties"),
        (
            {"type": "object", "properties": {"a": {"type": "string", "allOf": [{}]}}},
            "/properties/a/allOf",
        ),
    ],
)
def test_keywords_the_generated_validator_cannot_check_are_refused(
    prop: dict[str, Any], pointer: str
) -> None:
    """Kept as they were, the generated validate() would pass what jsonschema refuses."""
    with pytest.raises(InputError, match="cannot check") as caught:
        normalize(model({"p": prop}))
    assert caught.value.pointer == "/input_schema/properties/p" + pointer


def test_the_metaschema_check_remembers_only_schemas_that_passed() -> None:
    """Checks are remembered per distinct schema; a refused one is refused every time."""
    broken = model({"p": {"type": "string", "minLength": -1}})
    for _ in range(2):
        with pytest.raises(InputError, match="not a valid JSON Schema") as caught:
            normalize(copy.deepcopy(broken))
        assert caught.value.pointer == "/input_schema/properties/p/minLength"
    fine = model({"p": {"type": "string", "minLength": 1}})
    assert normalize(fine).input_schema == normalize(copy.deepcopy(fine)).input_schema
