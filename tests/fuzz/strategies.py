"""Hypothesis strategies for hostile documented models and pages.

They mix what real RunComfy schemas hold (the corpus shapes: string/integer/number/boolean/
array, enums, bounds, media formats, validations, LoRA-like nested objects) with what an
attacker or a broken page could hold: keys named after builtins and keywords, dunders,
non-ASCII and empty keys, quotes and template syntax in every text, NaN/Infinity/1e309 and
huge integers, deep nesting, huge sizes, ``$ref`` to files and URLs, look-alike model ids.
Valid property schemas of the documented shape come from hypothesis-jsonschema, drawn from
:data:`PROPERTY_SHAPE` (a JSON Schema of a documented property).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

#: The token the fuzz run puts in the environment: it must never appear anywhere.
CANARY_TOKEN = "rc-canary-7e1f0c2b9d"

HOSTILE_TEXT = [
    "a\"b'c \"\"\" ''' \\ ",
    "{{ config }} {% for x in y %}{% endfor %}",
    "\nimport os; os.system('echo pwned')  #",
    "\u2028\u2029\x00\x1b[31m",
    "é漢字🙂",
    "${HOME} $(id) `id`",
    "</script><!--",
    "",
]
KEYS = [
    "prompt", "seed", "image_url", "143_image", "169_valuex170_value", "imageURL", "3d",
    "str", "int", "float", "list", "dict", "type", "id", "format", "input", "bool", "object",
    "class", "from", "None", "True", "lambda", "self", "cls", "validate", "json", "copy",
    "model_config", "model_fields", "__init__", "__class__", "_private", "_", "__", "",
    "Field", "BaseModel", "Annotated", "Literal", "Any", "NotGiven", "NOT_GIVEN", "Result",
    "annotations", "typing", "pydantic", "to_wire", "timeout", "payload", "request_id",
    "data", "given", "inputs", "on_update", "include_cost", "wait_timeout",
    "a b", "a-b", "a.b", "a/b", "a~b", "$ref", "$id", "é", "漢字", "😀", "x" * 300,
]  # fmt: skip
FORMATS = [
    "image_uri", "video_uri", "audio_uri", "image_uris", "video_uris", "audio_uris", "uri",
    "email", "date-time", "colour", "binary", None,
]  # fmt: skip
REFS = [
    "#/properties/prompt", "#/$defs/lora", "#/$defs/missing", "#", "#/properties",
    "/etc/passwd", "file:///etc/hostname", "secret.json", "../secret.json",
    "http://127.0.0.1:9/x.json", "https://example.com/s.json", "#/definitions/x~1y",
]  # fmt: skip
PATTERNS = ["^[a-z]+$", "(a+)+$", "(?=a)", "(a|b*){2,}", "[", "\\d{1,3}", "a" * 1200]
NUMBERS = [0, 1, -1, 0.5, 4294967295, 2**63, 10**400, 1e308, float("inf"), float("nan")]

PROPERTY_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"enum": ["string", "integer", "number", "float", "boolean", "array"]},
        "title": {"type": "string", "maxLength": 20},
        "description": {"type": "string", "maxLength": 20},
        "default": {"type": ["string", "integer", "number", "boolean", "null"]},
        "enum": {"type": "array", "maxItems": 4, "items": {"type": ["string", "integer"]}},
        "minimum": {"type": "integer", "minimum": -5, "maximum": 5},
        "maximum": {"type": "integer", "minimum": -5, "maximum": 100},
        "maxLength": {"type": "integer", "minimum": 0, "maximum": 5000},
        "minItems": {"type": "integer", "minimum": 0, "maximum": 3},
        "maxItems": {"type": "integer", "minimum": 0, "maximum": 16},
        "format": {"enum": ["image_uri", "video_uri", "audio_uri", "image_uris", "uri"]},
        "items": {
            "type": "object",
            "properties": {"type": {"enum": ["string", "integer"]}},
            "required": ["type"],
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=12))
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8))
finite_numbers = st.one_of(
    st.integers(-(2**40), 2**40), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 4294967295, 2**63]),
)  # fmt: skip
numbers = finite_numbers | st.sampled_from(NUMBERS)  # mostly finite, sometimes hostile
json_scalars = st.one_of(st.none(), st.booleans(), finite_numbers, texts)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)
validations = st.lists(
    st.fixed_dictionaries(
        {
            "validation_rule": st.sampled_from(
                ["file_size_mb<", "width/height>", "width_pixels>=", "depth<", "x<<", ""]
            ),
            "validation_value": numbers | texts,
            "validation_error": texts,
        }
    ),
    max_size=2,
)
#: One hostile edit of an otherwise ordinary property: (keyword, value).
hostile_edits = st.one_of(
    st.tuples(
        st.just("type"),
        st.sampled_from(
            ["str", "float", "null", "object", ["string"], ["integer", "null"], ["null", "array"]]
        ),
    ),
    # pydantic's Optional[X] spelling, and unions that are not "X or null"
    st.tuples(
        st.sampled_from(["anyOf", "oneOf"]),
        st.sampled_from(
            [
                [{"type": "string", "format": "image_uri"}, {"type": "null"}],
                [{"type": "integer", "enum": [1, 2]}, {"type": "null"}],
                [{"type": "string"}, {"type": "integer"}],
                [{"type": "null"}],
            ]
        ),
    ),
    st.tuples(st.sampled_from(["title", "description"]), texts),
    st.tuples(st.just("default"), json_values | st.sampled_from(NUMBERS)),
    st.tuples(st.just("enum"), st.lists(json_scalars, max_size=4) | st.just(list(range(1001)))),
    st.tuples(st.sampled_from(["minimum", "maximum", "multipleOf"]), numbers),
    st.tuples(st.just("minLength"), st.sampled_from([0, 1, 10, 300_000_000])),
    st.tuples(st.just("maxLength"), st.sampled_from([0, 5, 5000, 10**12])),
    st.tuples(st.just("pattern"), st.sampled_from(PATTERNS)),
    st.tuples(st.just("format"), st.sampled_from(FORMATS)),
    st.tuples(st.just("validations"), validations),
    st.tuples(st.just("$ref"), st.sampled_from(REFS)),
    st.tuples(st.sampled_from(["$id", "$anchor", "$schema"]), st.just("https://example.com/x")),
)


def _leaf() -> st.SearchStrategy[dict[str, Any]]:
    plain = st.fixed_dictionaries(
        {"type": st.sampled_from(["string", "integer", "number", "boolean"])},
        optional={"title": texts, "description": texts, "default": json_scalars},
    )
    shaped = from_schema(PROPERTY_SHAPE).map(_items_only_on_arrays)
    ordinary = shaped | plain
    edited = st.builds(lambda base, edit: {**base, edit[0]: edit[1]}, ordinary, hostile_edits)
    # Three ordinary properties for one edited: a model has several, and each edit is refused
    # on its own; most cases must get through to a generated package.
    return st.one_of(ordinary, ordinary, ordinary, edited)


def _items_only_on_arrays(drawn: Any) -> dict[str, Any]:
    """Keep the shape keywords where they mean something (hostile edits do the rest)."""
    schema: dict[str, Any] = drawn  # PROPERTY_SHAPE only draws objects
    if schema.get("type") != "array":
        schema = {k: v for k, v in schema.items() if k != "items"}
    if schema.get("type") not in ("string", "array"):
        schema = {k: v for k, v in schema.items() if k != "format"}
    return schema


def _nest(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    obj = st.builds(
        lambda props, required, title: {
            "type": "object",
            "properties": props,
            "required": [k for k in required if k in props],
            **({"title": title} if title is not None else {}),
        },
        st.dictionaries(keys, inner, min_size=1, max_size=3),
        st.lists(keys, max_size=2),
        st.none() | texts,
    )
    array = st.builds(
        lambda items, count: {"type": "array", "items": items, "minItems": count},
        inner,
        st.sampled_from([0, 1, 2, 400]),
    )
    return obj | array


property_schemas = st.recursive(_leaf(), _nest, max_leaves=6)


@st.composite
def documented_models(draw: st.DrawFn) -> dict[str, Any]:
    """A model file's JSON: model_id, endpoint, source, example, input and output schema."""
    properties = draw(st.dictionaries(keys, property_schemas, min_size=1, max_size=5))
    names = list(properties)
    required = draw(st.lists(st.sampled_from(names), max_size=2, unique=True)) if names else []
    input_schema: dict[str, Any] = {"type": "object", "required": required}
    input_schema["properties"] = properties
    if draw(st.booleans()):
        lora = {"type": "object", "properties": {"path": {"type": "string"}}}
        input_schema["$defs"] = {"lora": lora, "x/y": {"type": "integer"}}
    output_props = draw(st.dictionaries(keys, property_schemas, min_size=1, max_size=3))
    example = draw(st.none() | st.dictionaries(st.sampled_from(names), json_values, max_size=3))
    model_id = draw(model_ids)
    return {
        "model_id": model_id,
        "endpoint": f"https://model-api.runcomfy.net/v1/models/{model_id}",
        "source": "fuzz.txt",
        "example": example,
        "input_schema": input_schema,
        "output_schema": {"output": {"type": "object", "properties": output_props}},
    }


model_ids = st.one_of(
    *[st.just("fuzz/model/run")] * 4,
    st.sampled_from(
        [
            "fuzz/im\u0430ge/run", "fuzz/x.names", "../fuzz/run", "fuzz/../../etc", "/abs/x",
            "fuzz/-x/run", "fuzz/.hidden/run", "fuzz", "a/b/c/d/e/f/g", "fuzz/model/run.json",
            "fuzz//run", "FUZZ/Model/Run", "fuzz/model/run\u200b", "base/url", "with/options",
            "not/given", "run/comfy", "async/run-comfy", "validate/x", "models/x",
        ]
    ),
)  # fmt: skip


@st.composite
def model_files(draw: st.DrawFn) -> str:
    """A model file's text: JSON (NaN/Infinity allowed, as Python writes them), or broken."""
    data = draw(documented_models())
    text = json.dumps(data, allow_nan=True, ensure_ascii=draw(st.booleans()))
    mutation = draw(st.sampled_from(["none"] * 9 + ["truncate", "1e309", "bigint"]))
    if mutation == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif mutation == "1e309":
        text = text.replace('"type": "number"', '"type": "number", "maximum": 1e309', 1)
    elif mutation == "bigint":
        text = text.replace('"type": "integer"', '"type": "integer", "minimum": 1' + "0" * 400)
    return text


@st.composite
def pages(draw: st.DrawFn) -> str:
    """A saved documentation page: endpoint URL, curl example, the two schemas, prose."""
    data = draw(documented_models())
    prose = draw(st.lists(texts | st.sampled_from(["{", "}", "{\"output\":", "'", "--data '"]),
                          max_size=4))  # fmt: skip
    flattened = draw(st.booleans())
    sep = "" if flattened else "\n\n"
    example = json.dumps(data["example"] or {}, allow_nan=True)
    glue = draw(st.sampled_from([" ", "\n", "\u3002", "", "'"]))
    parts = [
        "# " + " ".join(prose[:1]),
        f"curl -X POST https://model-api.runcomfy.net/v1/models/{data['model_id']}{glue}"
        f"--data '{example}'",
        *prose[1:],
        json.dumps(data["input_schema"], allow_nan=True, indent=None if flattened else 2),
        json.dumps(data["output_schema"], allow_nan=True),
    ]
    return sep.join(parts)
