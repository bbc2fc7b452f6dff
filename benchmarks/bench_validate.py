"""The generated validators versus fastjsonschema and jsonschema, on the seed models.

For each model of ``schemas/`` (the committed package in ``generated/python``), three payloads:

* ``valid``: every input given, inside its limits (URLs for media inputs);
* ``invalid-1``: the valid payload with one input out of range (fastjsonschema's best case:
  it stops at the first error);
* ``invalid-many``: several inputs wrong at once, plus an unknown key.

Each is checked by the model's generated ``validate()`` (every problem, one pass), by
fastjsonschema compiled from the same normalized schema (draft 7 semantics; raises at the
first error) and by ``jsonschema`` Draft 2020-12 with format checking (``iter_errors``, every
problem). Medians of repeated timings, microseconds per call, and speed ratios
(fastjsonschema time / ours: above 1.0 means ours is faster).

The ``+read`` column times ``validate()`` plus ``str()`` of every issue it returns (what
InputValidationError does with them), against the same fastjsonschema call (whose one message
is built when it raises): what a user who reads the problems pays.

Run on demand: ``python benchmarks/bench_validate.py [--repeat 7]``. Not part of the tests.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "generated" / "python"))

from generator.output.build import load_specs  # noqa: E402
from generator.render.naming import module_name  # noqa: E402
from generator.schema.ir import Constraints, FieldSpec, ModelSpec  # noqa: E402


def _value(c: Constraints, name: str) -> Any:
    if c.enum:
        return c.enum[0]
    kind = c.types[0]
    if kind == "string":
        return f"https://example.com/{name}.png" if c.is_url else "a quiet harbour at dawn"
    if kind in ("integer", "number"):
        return c.minimum if c.minimum is not None else 1
    if kind == "boolean":
        return True
    assert kind == "array" and c.items is not None
    return [_value(c.items, name) for _ in range(max(1, c.min_items or 0))]


def _broken(field: FieldSpec) -> Any:
    c = field.constraints
    if c.maximum is not None:
        return c.maximum + 1
    if c.enum:
        return "not-an-option"
    if c.max_length is not None:
        return "x" * (c.max_length + 1)
    return None  # wrong type


def payloads(spec: ModelSpec) -> dict[str, dict[str, Any]]:
    valid = {f.wire_key: _value(f.constraints, f.python_name) for f in spec.fields}
    ranged = [f for f in spec.fields if f.constraints.maximum is not None] or list(spec.fields)
    one = {**valid, ranged[0].wire_key: _broken(ranged[0])}
    many = {**valid, "not_an_input": 1}
    for field in spec.fields[: max(3, len(spec.fields) // 2)]:
        many[field.wire_key] = _broken(field)
    return {"valid": valid, "invalid-1": one, "invalid-many": many}


def _fastjsonschema(schema: dict[str, Any]) -> Callable[[Any], bool]:
    plain = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    compiled = fastjsonschema.compile(plain)

    def check(payload: Any) -> bool:
        try:
            compiled(payload)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return check


def _median_us(call: Callable[[], Any], repeat: int) -> float:
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    runs = timer.repeat(repeat=repeat, number=number)
    return statistics.median(runs) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, fastjsonschema "
          f"{fastjsonschema.VERSION}")  # fmt: skip
    header = f"{'model':44} {'payload':13} {'ours':>8} {'+read':>8} {'fastjs':>8}"
    print(
        header + f" {'jsonschema':>10} {'vs fastjs':>9} {'+read vs':>9} {'vs jsonschema':>13}"
        "   errors ours/fastjs/jsonschema"
    )
    ratios_fast: dict[str, list[float]] = {}
    ratios_read: dict[str, list[float]] = {}
    ratios_js: list[float] = []
    per_problem: list[float] = []
    for spec in load_specs(ROOT / "schemas"):
        module = importlib.import_module(f"runcomfy_models.models.{module_name(spec.model_id)}")
        fast = _fastjsonschema(spec.input_schema)
        reference = Draft202012Validator(spec.input_schema, format_checker=FormatChecker())
        for label, payload in payloads(spec).items():
            ours_errors = sum(i.is_error for i in module.validate(payload))
            js_errors = len(list(reference.iter_errors(payload)))
            fast_errors = 0 if fast(payload) else 1
            assert (ours_errors == 0) == (js_errors == 0) == (fast_errors == 0), (label, spec)
            ours = _median_us(lambda m=module, p=payload: m.validate(p), args.repeat)
            read = _median_us(
                lambda m=module, p=payload: [str(i) for i in m.validate(p)], args.repeat
            )
            fjs = _median_us(lambda f=fast, p=payload: f(p), args.repeat)
            js = _median_us(
                lambda r=reference, p=payload: list(r.iter_errors(p)), max(3, args.repeat // 2)
            )
            ratios_fast.setdefault(label, []).append(fjs / ours)
            ratios_read.setdefault(label, []).append(fjs / read)
            ratios_js.append(js / ours)
            if ours_errors > 1:
                per_problem.append(fjs / (ours / ours_errors))
            print(
                f"{spec.model_id:44} {label:13} {ours:8.2f} {read:8.2f} {fjs:8.2f} {js:10.1f} "
                f"{fjs / ours:8.2f}x {fjs / read:8.2f}x {js / ours:12.1f}x"
                f"   {ours_errors}/{fast_errors}/{js_errors}"
            )
    for label, ratios in ratios_fast.items():
        read_ratios = ratios_read[label]
        print(
            f"{label:13} speed vs fastjsonschema: median {statistics.median(ratios):.2f}x, "
            f"min {min(ratios):.2f}x; reading every message too: median "
            f"{statistics.median(read_ratios):.2f}x, min {min(read_ratios):.2f}x"
        )
    print(
        f"invalid-many per problem reported vs fastjsonschema's one: median "
        f"{statistics.median(per_problem):.2f}x, min {min(per_problem):.2f}x"
    )
    print(
        f"all payloads vs jsonschema: median {statistics.median(ratios_js):.1f}x, "
        f"min {min(ratios_js):.1f}x"
    )


if __name__ == "__main__":
    main()
