"""Object-typed properties (LoRA settings) and keys named after builtins, end to end:
normalize -> generate -> import of the package -> a request on the wire -> mypy --strict."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.output.build import build_outputs
from generator.output.tree import write_tree
from generator.schema.documented import DocumentedModel
from generator.schema.normalize import normalize

MODEL_ID = "acme/flux-lora/text-to-image"
LORA = {
    "type": "object",
    "title": "LoRA",
    "required": ["path"],
    "properties": {
        "path": {"type": "string", "format": "uri"},
        "scale": {"type": "number", "minimum": 0, "maximum": 4, "default": 1},
        "str": {"type": "string"},
    },
}
INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["prompt", "lora"],
    "properties": {
        "prompt": {"type": "string"},
        "lora": LORA,
        "loras": {"type": "array", "maxItems": 3, "items": LORA},
        "str": {"type": "string"},
        "int": {"type": "integer"},
        "list": {"type": "array", "items": {"type": "string"}},
        "type": {"type": "string", "enum": ["a", "b"]},
        "class": {"type": "boolean"},
        "__init__": {"type": "string"},
        "to_wire": {"type": "array", "items": {"type": "string"}},
        "result": {"type": "object", "properties": {"a": {"type": "string"}}},
        # names the bodies of the generated submit/run use: a local and a runtime helper
        "data": {"type": "number"},
        "given": {"type": "string"},
        # may be null: a type list, and pydantic's Optional[X] spelling
        "seed": {"type": ["integer", "null"], "minimum": 0},
        "mode": {"anyOf": [{"type": "string", "enum": ["fast", "slow"]}, {"type": "null"}]},
    },
}
OUTPUT_SCHEMA: dict[str, Any] = {
    "output": {
        "type": "object",
        "properties": {
            "image": {"type": "string", "format": "uri"},
            "meta": {"type": "object", "properties": {"seed": {"type": "integer"}}},
            "str": {"type": "string"},
        },
    }
}
USE = """
import json

import httpx

from runcomfy_models import RunComfy
from runcomfy_models.models.acme_flux_lora_text_to_image import (
    AcmeFluxLoraTextToImageInput, AcmeFluxLoraTextToImageInputLora,
)

def request() -> dict[str, object]:
    lora = AcmeFluxLoraTextToImageInputLora(path="https://x/l.safetensors", scale=0.5)
    data = AcmeFluxLoraTextToImageInput(prompt="p", lora=lora, str_="s", int_=3, class_=True)
    return data.to_wire()

assert request() == {
    "prompt": "p", "lora": {"path": "https://x/l.safetensors", "scale": 0.5},
    "str": "s", "int": 3, "class": True,
}, request()

sent: list[object] = []


def answer(http_request: httpx.Request) -> httpx.Response:
    sent.append(json.loads(http_request.content))
    return httpx.Response(200, json={"request_id": "r1"})


http = httpx.Client(transport=httpx.MockTransport(answer))
with RunComfy("test-token-0123", base_url="http://127.0.0.1:9", http_client=http) as client:
    lora = AcmeFluxLoraTextToImageInputLora(path="https://x/l.safetensors")
    handle = client.acme_flux_lora_text_to_image.submit(
        prompt="p", lora=lora, data=0.5, given_="g", seed=None, mode=None
    )
    client.acme_flux_lora_text_to_image.submit(prompt="p", lora=lora, seed=7, mode="slow")
assert handle.request_id == "r1", handle.request_id
assert sent == [
    {"prompt": "p", "lora": {"path": "https://x/l.safetensors"}, "data": 0.5, "given": "g",
     "seed": None, "mode": None},
    {"prompt": "p", "lora": {"path": "https://x/l.safetensors"}, "seed": 7, "mode": "slow"},
], sent
from runcomfy_models.models.acme_flux_lora_text_to_image import validate

problems = validate({"prompt": "p", "lora": {"path": "https://x/l"}, "seed": -1, "mode": "x"})
assert [str(p) for p in problems] == [
    "seed: must be >= 0, not -1",
    "mode: must be one of 'fast', 'slow', null, not 'x'",
], problems
print("ok")
"""


def documented() -> DocumentedModel:
    return DocumentedModel(
        model_id=MODEL_ID,
        endpoint=f"https://model-api.runcomfy.net/v1/models/{MODEL_ID}",
        source="test.txt",
        example=None,
        input_schema=INPUT_SCHEMA,
        output_schema=OUTPUT_SCHEMA,
        file="test.json",
    )


def test_builtin_and_private_keys_get_safe_names() -> None:
    names = {f.wire_key: f.python_name for f in normalize(documented()).fields}
    assert names["str"] == "str_"
    assert names["int"] == "int_"
    assert names["list"] == "list_"
    assert names["type"] == "type_"
    assert names["class"] == "class_"
    assert names["__init__"] == "init"
    assert names["to_wire"] == "to_wire_"  # the input model's own method
    assert names["given"] == "given_"  # the runtime helper submit and run call
    assert names["data"] == "data"  # their local variable is ``_inputs``: no clash possible


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("nested")
    path = root / "schemas" / f"{MODEL_ID}.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(documented().to_json()), encoding="utf-8")
    write_tree(root / "generated", build_outputs(root / "schemas"))
    return root / "generated" / "python"


def test_nested_models_import_and_send_nested_objects(package: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", USE], cwd=package, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"


def test_nested_models_pass_mypy_strict(package: Path, tmp_path: Path) -> None:
    use = tmp_path / "use.py"
    use.write_text(USE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "runcomfy_models",
         str(use)],
        cwd=package, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _round_trip(tmp_path: Path, model: dict[str, Any], payload: str) -> str:
    """Generate ``model`` (a model file's JSON), then, in a fresh interpreter, validate
    ``payload`` (a Python literal) with its input class; what ``to_wire()`` printed."""
    path = tmp_path / "schemas" / f"{MODEL_ID}.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(model), encoding="utf-8")
    write_tree(tmp_path / "out", build_outputs(tmp_path / "schemas"))
    check = (
        "from runcomfy_models.models.acme_flux_lora_text_to_image import "
        "AcmeFluxLoraTextToImageInput as I\n"
        f"print(I.model_validate({payload}).to_wire())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path / "out" / "python",
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_a_nested_field_named_literal_does_not_break_root_models(tmp_path: Path) -> None:
    """dcg imports ``Literal as Literal_aliased`` but writes bare ``Literal`` in a RootModel
    base; the fuzz run found the NameError this gave at import."""
    choice = {"type": "string", "enum": ["a", ""]}
    data = documented().to_json()
    data["input_schema"] = {
        "type": "object",
        "properties": {
            "o": {"type": "object", "properties": {"Literal": choice, "b": choice}},
            "x": {"type": "array", "items": {"type": "array", "items": choice, "minItems": 2}},
        },
    }
    wire = _round_trip(tmp_path, data, "{'x': [['a', '']], 'o': {'Literal': 'a'}}")
    assert wire == "{'o': {'Literal': 'a'}, 'x': [['a', '']]}"


def test_a_nested_field_named_annotated_keeps_optional_fields_optional(tmp_path: Path) -> None:
    """A nested field ``Annotated`` beside one that needs an alias (``class``) makes dcg
    import ``Annotated as Annotated_aliased``; the input class's fields then read
    ``Annotated_aliased[...]``, which was not recognised: an internal error, exit 2 naming no
    file."""
    data = documented().to_json()
    data["input_schema"] = {
        "type": "object",
        "properties": {
            "149_shift": {"type": "integer", "title": "Shift", "minimum": 1, "default": 5},
            "n": {
                "type": "object",
                "properties": {"class": {"type": "string"}, "Annotated": {"type": "integer"}},
            },
        },
    }
    wire = _round_trip(tmp_path, data, "{'149_shift': 2, 'n': {'Annotated': 1}}")
    assert wire == "{'149_shift': 2, 'n': {'Annotated': 1}}"
