"""Hostile schemas: nothing a schema names is read, and what no real schema needs is refused
with its pointer (exit 2, one line), never a traceback or an endless generate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator import limits
from generator.cli import cli
from generator.errors import InputError
from generator.schema.documented import DocumentedModel, load_model_file
from generator.schema.normalize import normalize
from generator.schema.refs import SchemaReferenceError
from tests.support.corpus import STANDARD_OUTPUT_SCHEMA

SECRET = "SECRET-7f3a9c-do-not-print"


def documented(properties: dict[str, Any], **input_extra: Any) -> dict[str, Any]:
    return {
        "model_id": "evil/ref/run",
        "endpoint": "https://model-api.runcomfy.net/v1/models/evil/ref/run",
        "source": "page.txt",
        "example": None,
        "input_schema": {"type": "object", "properties": properties, **input_extra},
        "output_schema": STANDARD_OUTPUT_SCHEMA,
    }


def write_model(root: Path, data: dict[str, Any] | str) -> Path:
    path = root / "schemas" / "evil" / "ref" / "run.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data)
    path.write_text(text, encoding="utf-8")
    return path


def model_of(data: dict[str, Any]) -> DocumentedModel:
    return DocumentedModel(
        model_id=data["model_id"],
        endpoint=data["endpoint"],
        source=data["source"],
        example=data["example"],
        input_schema=data["input_schema"],
        output_schema=data["output_schema"],
        file="test.json",
    )


@pytest.fixture
def secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A JSON schema datamodel-code-generator would happily read and print."""
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"type": "string", "description": SECRET}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return secret


def _refs(secret: Path) -> list[str]:
    return [
        str(secret),
        secret.as_uri(),
        "secret.json",
        "./secret.json#/description",
        "http://127.0.0.1:9/secret.json",
        "https://example.com/lora.schema.json",
    ]


@pytest.mark.parametrize("command", ["generate", "normalize", "lint", "diff"])
def test_refs_to_files_and_urls_are_refused_and_never_read(
    tmp_path: Path, secret_file: Path, command: str
) -> None:
    for ref in _refs(secret_file):
        path = write_model(tmp_path, documented({"p": {"type": "string", "$ref": ref}}))
        args = {
            "generate": ["generate", "--schemas", "schemas", "--out", "out"],
            "normalize": ["normalize", str(path)],
            "lint": ["lint", str(path)],
            "diff": ["diff", str(path), str(path)],
        }[command]
        result = CliRunner().invoke(cli, args)
        expected = 1 if command == "lint" else 2  # lint: a finding, not an unreadable file
        assert result.exit_code == expected, (ref, result.output)
        assert SECRET not in result.output and SECRET not in result.stderr, ref
        assert "#/input_schema/properties/p/$ref" in result.output, (ref, result.output)
        if command != "lint":
            assert result.stderr.count("\n") == 1 and result.stdout == "", (ref, result.output)
            assert "points outside this schema" in result.stderr
        else:
            assert "RC106" in result.stdout
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("$id", "https://example.com/other"),
        ("$anchor", "x"),
        ("$dynamicRef", "#x"),
        ("$schema", "http://example.com/meta"),
    ],
)
def test_keywords_that_could_name_another_document_are_refused(keyword: str, value: str) -> None:
    data = documented({"p": {"type": "string", keyword: value}})
    with pytest.raises(SchemaReferenceError) as caught:
        normalize(model_of(data))
    assert caught.value.pointer == f"/input_schema/properties/p/{keyword}"


def test_local_refs_are_inlined_and_defs_dropped() -> None:
    lora = {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}
    data = documented(
        {
            "lora": {"$ref": "#/$defs/lora", "description": "the LoRA"},
            "loras": {"type": "array", "items": {"$ref": "#/$defs/lora"}},
            "default_is_data": {"type": "object", "default": {"$ref": "not followed"}},
        },
        **{"$defs": {"lora": lora}},
    )
    spec = normalize(model_of(data))
    text = json.dumps(spec.input_schema)
    assert "$ref" not in text.replace('{"$ref": "not followed"}', "") and "$defs" not in text
    assert spec.input_schema["properties"]["lora"]["description"] == "the LoRA"
    assert spec.input_schema["properties"]["loras"]["items"]["required"] == ["path"]
    assert spec.field_by_key("default_is_data").default == {"$ref": "not followed"}


def test_ref_beside_a_default_uses_the_target_and_keeps_the_default() -> None:
    data = documented({"a": {"$ref": "#/properties/b", "default": "x"}, "b": {"type": "string"}})
    spec = normalize(model_of(data))
    assert spec.input_schema["properties"]["a"] == {"type": "string", "default": "x"}


@pytest.mark.parametrize(
    ("properties", "extra", "pointer", "words"),
    [
        ({"a": {"$ref": "#/properties/a"}}, {}, "/input_schema/properties/a/$ref", "recursive"),
        (
            {"a": {"$ref": "#/$defs/x"}},
            {"$defs": {"x": {"type": "object", "properties": {"y": {"$ref": "#/$defs/x"}}}}},
            "/input_schema/$defs/x/properties/y/$ref",
            "recursive",
        ),
        ({"a": {"$ref": "#/$defs/none"}}, {}, "/input_schema/properties/a/$ref", "nothing"),
        (
            {"a": {"$ref": "#/properties/b", "type": "integer"}, "b": {"type": "string"}},
            {},
            "/input_schema/properties/a/type",
            "differs",
        ),
    ],
)
def test_bad_local_refs_are_refused_at_their_pointer(
    properties: dict[str, Any], extra: dict[str, Any], pointer: str, words: str
) -> None:
    with pytest.raises(SchemaReferenceError) as caught:
        normalize(model_of(documented(properties, **extra)))
    assert caught.value.pointer == pointer and words in caught.value.message


def test_ref_expansion_is_bounded() -> None:
    """Each level refers to the one below four times: 4**10 copies if nothing stopped it."""
    defs: dict[str, Any] = {
        f"d{i}": {"allOf": [{"$ref": f"#/$defs/d{i + 1}"}] * 4} for i in range(10)
    }
    defs["d10"] = {"type": "string"}
    data = documented({"a": {"$ref": "#/$defs/d0"}}, **{"$defs": defs})
    with pytest.raises(SchemaReferenceError, match="larger than 100,000 nodes"):
        normalize(model_of(data))


def test_ref_chains_are_bounded() -> None:
    """A chain of 2,000 $defs, each holding the next: no RecursionError, one refusal."""
    defs: dict[str, Any] = {
        f"d{i}": {"type": "array", "items": {"$ref": f"#/$defs/d{i + 1}"}} for i in range(2000)
    }
    defs["d2000"] = {"type": "string"}
    data = documented({"a": {"$ref": "#/$defs/d0"}}, **{"$defs": defs})
    with pytest.raises(SchemaReferenceError, match="nests deeper than 64 levels"):
        normalize(model_of(data))


def _nested(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"n": schema}}
    return schema


def _deep_list(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


LIMIT_CASES: list[tuple[str, str, str]] = [
    # (id, model file text, pointer the error names)
    ("nan", json.dumps(documented({"a": {"type": "number", "default": float("nan")}})),
     "/input_schema/properties/a/default"),
    ("infinity", json.dumps(documented({"a": {"type": "number", "maximum": float("inf")}})),
     "/input_schema/properties/a/maximum"),
    ("1e309", json.dumps(documented({"a": {"type": "number", "maximum": 1}})).replace(
        '"maximum": 1', '"maximum": 1e309'), "/input_schema/properties/a/maximum"),
    ("huge-integer", json.dumps(documented({"a": {"type": "integer", "minimum": -(10**400)}})),
     "/input_schema/properties/a/minimum"),
    ("deep-default", json.dumps(documented({"a": {"type": "array", "default": _deep_list(40)}})),
     "/input_schema/properties/a/default/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0"),
    ("deep-schema", json.dumps(documented({"a": _nested(12)})),
     "/input_schema/properties/a" + "/properties/n" * 8),
    ("enum", json.dumps(documented({"a": {"type": "integer", "enum": list(range(1001))}})),
     "/input_schema/properties/a/enum"),
    ("properties", json.dumps(documented({f"p{i}": {"type": "string"} for i in range(501)})),
     "/input_schema/properties"),
    ("minLength", json.dumps(documented({"a": {"type": "string", "minLength": 300_000_000}},
                                        required=["a"])), "/input_schema/properties/a"),
    ("minItems-product", json.dumps(documented({"a": {"type": "array", "minItems": 400, "items": {
        "type": "array", "minItems": 400, "items": {"type": "string"}}}})),
     "/input_schema/properties/a"),
    ("pattern-redos", json.dumps(documented({"a": {"type": "string", "pattern": "^(a+)+$",
                                                   "default": "a" * 40 + "!"}})),
     "/input_schema/properties/a/pattern"),
    ("pattern-lookaround", json.dumps(documented({"a": {"type": "string",
                                                        "pattern": "^(?!admin).*$"}})),
     "/input_schema/properties/a/pattern"),
    ("items-on-number", json.dumps(documented({"a": {"type": "number", "items": {
        "type": "string"}}})), "/input_schema/properties/a/items"),
    ("pattern-long", json.dumps(documented({"a": {"type": "string", "pattern": "a" * 1001}})),
     "/input_schema/properties/a/pattern"),
    ("long-string", json.dumps(documented({"a": {"type": "string", "description": "x" * 70000}})),
     "/input_schema/properties/a/description"),
    ("empty-key", json.dumps(documented({"": {"type": "string"}})), "/input_schema/properties/"),
    ("empty-nested-key", json.dumps(documented({"a": {"type": "object", "properties": {
        "": {"type": "string"}}}})), "/input_schema/properties/a/properties/"),
    ("example", json.dumps({**documented({"a": {"type": "string"}}),
                            "example": {"a": "x" * 60000, "b": "y" * 10000}}), "/example"),
    # JSON lets "\ud800" escape half a character; no UTF-8 file can hold it.
    ("lone-surrogate", json.dumps(documented({"a": {"type": "string", "title": "x"}})).replace(
        '"title": "x"', '"title": "x\\ud800"'), "/input_schema/properties/a/title"),
    ("lone-surrogate-key", json.dumps(documented({"a": {"type": "string"}})).replace(
        '{"a": {', '{"\\udfff": {'), "/input_schema/properties"),
    ("pattern-redos-below-additionalProperties", json.dumps(documented({"a": {
        "type": "object", "additionalProperties": {"type": "string", "pattern": "^(a+)+$"}}})),
     "/input_schema/properties/a/additionalProperties/pattern"),
    ("pattern-redos-below-not", json.dumps(documented({"a": {
        "type": "string", "not": {"pattern": "^(a+)+$"}}})),
     "/input_schema/properties/a/not/pattern"),
    ("patternProperties", json.dumps(documented({"a": {
        "type": "object", "patternProperties": {"^(a|a)*$": {"type": "string"}}}})),
     "/input_schema/properties/a/patternProperties"),
    ("pattern-beyond-the-regex-engine", json.dumps(documented({"a": {
        "type": "string", "pattern": "a{1000000}"}})), "/input_schema/properties/a/pattern"),
]  # fmt: skip


#: Patterns without a nested quantifier whose matching still takes exponential or high
#: polynomial time in a backtracking engine (Python's ``re``) on a near miss.
SLOW_PATTERNS = ["^(a|a)*$", "^(a|aa)*$", "^a*a*a*a*a*a*a*a*a*a*$", r"^(\w|\d)*$"]


@pytest.mark.parametrize("pattern", SLOW_PATTERNS)
@pytest.mark.parametrize("command", ["normalize", "lint"])
def test_a_slow_pattern_never_makes_a_command_run_for_ever(
    tmp_path: Path, command: str, pattern: str
) -> None:
    """The default and the example are checked against the pattern (a near miss each): with
    a backtracking engine that took 2^40 steps, so generate, normalize and lint never ended.
    Patterns are matched by the linear-time engine the generated models use."""
    near_miss = "a" * 40 + "!"
    data = documented({"a": {"type": "string", "pattern": pattern, "default": near_miss}})
    data["example"] = {"a": near_miss}
    path = write_model(tmp_path, data)
    result = CliRunner().invoke(cli, [command, str(path)])
    assert result.exit_code == (0 if command == "normalize" else 1), result.output
    assert "/input_schema/properties/a/default" in result.output, result.output


@pytest.mark.parametrize(("text", "pointer"), [c[1:] for c in LIMIT_CASES],
                         ids=[c[0] for c in LIMIT_CASES])  # fmt: skip
def test_what_no_real_schema_needs_is_refused_with_its_pointer(
    tmp_path: Path, text: str, pointer: str
) -> None:
    write_model(tmp_path, text)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["generate", "--schemas", str(tmp_path / "schemas"), "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith("error: ")
    assert f"run.json#{pointer}: " in result.stderr, result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"model_id": ' + "1" * 5000 + "}", "not usable JSON"),
        ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
        ("\xff\xfe", "not valid JSON"),
    ],
    ids=["5000-digit-integer", "200000-levels", "junk"],
)
def test_unreadable_json_is_one_error(tmp_path: Path, text: str, words: str) -> None:
    path = write_model(tmp_path, text)
    with pytest.raises(InputError, match=words):
        load_model_file(path)


def test_files_past_the_size_limits_are_refused_without_reading_them(tmp_path: Path) -> None:
    path = write_model(tmp_path, documented({"a": {"type": "string"}}))
    names = path.with_name("run.names.json")
    names.write_text(json.dumps({"a": "x" * limits.MAX_NAMES_FILE_BYTES}), encoding="utf-8")
    with pytest.raises(InputError, match="larger than 65,536 bytes"):
        load_model_file(path)
    names.unlink()
    path.write_text(" " * (limits.MAX_MODEL_FILE_BYTES + 1) + "{}", encoding="utf-8")
    with pytest.raises(InputError, match="larger than 1,048,576 bytes"):
        load_model_file(path)


def test_real_shapes_stay_accepted() -> None:
    """The limits sit far above the corpus: LoRA lists, 4294967295 seeds, 5000-char prompts."""
    data = documented(
        {
            "seed": {"type": "integer", "minimum": 0, "maximum": 4294967295},
            "prompt": {"type": "string", "maxLength": 5000, "pattern": "^[^<>]*$"},
            "loras": {
                "type": "array",
                "maxItems": 16,
                "items": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string"},
                        "scale": {"type": "number", "maximum": 4},
                    },
                },
            },
        }
    )
    spec = normalize(model_of(data))
    assert [f.wire_key for f in spec.fields] == ["seed", "prompt", "loras"]
