"""Exact payloads over the whole corpus: the wire holds what the caller gave, JSON types kept.

For each of the 120 corpus models, a payload is worked out from its typed constraints (every
input, ints for ``number`` inputs where the range allows) and sent three ways: through the
typed ``submit`` to the local server, through ``client.model(id)``, and through the input
class (strict validation, ``to_wire``, ``model_dump_json``). Each must give back the same
bytes of JSON; left-out inputs (their documented defaults included) never appear.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from generator.schema.ir import Constraints, FieldSpec, ModelSpec
from generator.serve import RunningServer, serve_in_thread
from tests.support.sdk import model_module

_URL = "https://example.com/in/{name}.bin"


def _number(c: Constraints, integer: bool) -> int | float:
    """An int inside the range (a float only when no int fits)."""
    low = c.minimum if c.minimum is not None else c.exclusive_minimum
    high = c.maximum if c.maximum is not None else c.exclusive_maximum
    candidate = math.ceil(low) if low is not None else 7
    if c.exclusive_minimum is not None and candidate == c.exclusive_minimum:
        candidate += 1
    fits = high is None or candidate < high or (c.maximum is not None and candidate == high)
    if fits or integer:
        return candidate
    assert low is not None
    return low + (high - low) / 2 if high is not None else low + 0.5


def _value(c: Constraints, name: str) -> Any:
    if c.enum:
        return c.enum[-1]
    kind = c.types[0]
    if kind == "string":
        return _URL.format(name=name) if c.is_url else f"text for {name}"[: c.max_length or 99]
    if kind in ("integer", "number"):
        return _number(c, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "array":
        assert c.items is not None
        count = max(1, c.min_items or 0)
        return [_value(c.items, f"{name}-{i}") for i in range(count)]
    raise AssertionError(f"no value for {kind}")


#: Long enough to be redacted from answers without touching their keys (like a real token).
_TOKEN = "rc-exact-payloads-token-5b1e"


def _wire(spec: ModelSpec, everything: bool) -> dict[str, Any]:
    return {
        f.wire_key: _value(f.constraints, f.python_name)
        for f in spec.fields
        if everything or f.required
    }


def _kwargs(spec: ModelSpec, wire: dict[str, Any]) -> dict[str, Any]:
    return {f.python_name: wire[f.wire_key] for f in spec.fields if f.wire_key in wire}


def _exact(value: Any) -> str:
    """JSON text that tells 1 from 1.0 and true from 1."""
    return json.dumps(value, sort_keys=True)


def _input_class(module: ModuleType) -> Any:
    return next(getattr(module, n) for n in module.__all__ if n.endswith("Input"))


@pytest.fixture(scope="module")
def corpus_server(corpus_tree: Path) -> Iterator[RunningServer]:
    with serve_in_thread(corpus_tree / "schemas", token=_TOKEN) as server:
        yield server


def test_corpus_payloads_round_trip_through_the_input_classes(
    corpus_sdk: ModuleType, corpus_specs: list[ModelSpec]
) -> None:
    ints_in_number_fields = 0
    for spec in corpus_specs:
        module = model_module(corpus_sdk, spec.model_id)
        model = _input_class(module)
        for everything in (True, False):
            wire = _wire(spec, everything)
            assert [i for i in module.validate(wire) if i.is_error] == [], spec.model_id
            by_key = model.model_validate(wire)
            assert _exact(by_key.to_wire()) == _exact(wire), spec.model_id
            assert _exact(json.loads(by_key.model_dump_json(by_alias=True))) == _exact(wire)
            assert _exact(model.model_validate_json(json.dumps(wire)).to_wire()) == _exact(wire)
            by_name = model(**_kwargs(spec, wire))
            assert _exact(json.loads(by_name.model_dump_json(by_alias=True))) == _exact(wire)
        full = _wire(spec, everything=True)
        ints_in_number_fields += sum(
            f.json_type == "number" and type(full[f.wire_key]) is int for f in spec.fields
        )
    assert ints_in_number_fields > 0  # the "1 -> 1.0" case is really exercised


def _strictness_cases(field: FieldSpec) -> list[Any]:
    kind = field.json_type
    if kind in ("integer", "number"):
        return ["5", True, None]
    if kind == "boolean":
        return ["yes", 1, None]
    if kind == "string":
        return [5, None]
    return ["x", None]


def test_no_coercion_anywhere(corpus_sdk: ModuleType, corpus_specs: list[ModelSpec]) -> None:
    checked = 0
    for spec in corpus_specs:
        module = model_module(corpus_sdk, spec.model_id)
        model = _input_class(module)
        wire = _wire(spec, everything=False)
        for field in spec.fields:
            for bad in _strictness_cases(field):
                payload = {**wire, field.wire_key: bad}
                issues = [i for i in module.validate(payload) if i.is_error]
                assert [(i.pointer, i.name) for i in issues] == [
                    ("/" + field.wire_key.replace("~", "~0").replace("/", "~1"), field.python_name)
                ], (spec.model_id, field.wire_key, bad, issues)
                with pytest.raises(pydantic.ValidationError):
                    model.model_validate(payload)
                checked += 1
    assert checked > 1000


def test_typed_and_untyped_calls_send_exactly_what_was_given(
    corpus_sdk: ModuleType, corpus_specs: list[ModelSpec], corpus_server: RunningServer
) -> None:
    client = corpus_sdk.RunComfy(token=_TOKEN, base_url=corpus_server.base_url)
    expected: list[str] = []
    with client:
        for spec in corpus_specs:
            endpoint = getattr(client, corpus_sdk.MODELS[spec.model_id])
            for everything in (True, False):
                wire = _wire(spec, everything)
                endpoint.submit(**_kwargs(spec, wire))
                expected.append(_exact(wire))
            untyped = _wire(spec, everything=False)
            client.model(spec.model_id).submit(untyped)
            expected.append(_exact(untyped))
    sent = [_exact(job["payload"]) for job in corpus_server.jobs()]
    assert sent == expected
