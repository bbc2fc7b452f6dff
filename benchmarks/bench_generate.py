"""Per-model cost of generating in process versus the datamodel-codegen CLI once per schema.

For every schema of the corpus (../shared/corpus/catalog-input-schemas.json):

* in process, through the code path ``generate`` uses: normalize the documented schema, render
  the model's Python module (datamodel-code-generator called as a library, the module
  template, black) and its docs page;
* the alternative: write the normalized input schema to a file and run the
  ``datamodel-codegen`` CLI on it, one subprocess per schema (pydantic v2 classes only).

Run on demand (``make bench`` or ``python benchmarks/bench_generate.py --limit 20``); it is
not part of the test suite. Wall-clock numbers depend on the machine: see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.render.docs import render_docs  # noqa: E402
from generator.render.python.package import (  # noqa: E402
    ModelNames,
    _model_module,  # the per-model step of render_python_package
    format_python,
)
from generator.render.templates import make_environment  # noqa: E402
from generator.schema.documented import DocumentedModel  # noqa: E402
from generator.schema.ir import ModelSpec  # noqa: E402
from generator.schema.normalize import normalize  # noqa: E402
from tests.conftest import STANDARD_OUTPUT_SCHEMA  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "catalog-input-schemas.json"
T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    model_id: str
    normalize_ms: float
    python_ms: float
    docs_ms: float
    cli_ms: float

    @property
    def in_process_ms(self) -> float:
        return self.normalize_ms + self.python_ms + self.docs_ms


def documented(entry: dict[str, Any]) -> DocumentedModel:
    """A corpus entry as a model file would hold it (the corpus has input schemas only)."""
    return DocumentedModel(
        model_id=entry["model_id"],
        endpoint="https://model-api.runcomfy.net/v1/models/" + entry["model_id"],
        source="catalog-input-schemas.json",
        example=None,
        input_schema=entry["input_schema"],
        output_schema=STANDARD_OUTPUT_SCHEMA,
        file=f"corpus:{entry['model_id']}",
    )


def timed(repeat: int, action: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``repeat`` runs in milliseconds (the least disturbed by the machine)."""
    runs = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = action()
        runs.append((time.perf_counter() - start) * 1000)
    return min(runs), result


def python_module(spec: ModelSpec) -> str:
    names = ModelNames.of(spec.model_id)
    path = f"python/runcomfy_models/models/{names.module}.py"
    return format_python(_model_module(spec, names, ENV), path)


def run_cli(schema_file: Path, output: Path) -> None:
    executable = Path(sys.executable).parent / "datamodel-codegen"
    subprocess.run(
        [
            str(executable),
            "--input",
            str(schema_file),
            "--input-file-type",
            "jsonschema",
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--target-python-version",
            "3.11",
            "--disable-timestamp",
            "--output",
            str(output),
        ],
        check=True,
        capture_output=True,
    )


ENV = make_environment()


def measure(entry: dict[str, Any], workdir: Path, repeat: int) -> Timing:
    normalize_ms, spec = timed(repeat, lambda: normalize(documented(entry)))
    python_ms, _ = timed(repeat, lambda: python_module(spec))
    docs_ms, _ = timed(repeat, lambda: render_docs([spec], ENV))
    schema_file = workdir / "input.schema.json"
    schema_file.write_text(json.dumps(spec.input_schema), encoding="utf-8")
    cli_ms, _ = timed(repeat, lambda: run_cli(schema_file, workdir / "models.py"))
    return Timing(entry["model_id"], normalize_ms, python_ms, docs_ms, cli_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N schemas")
    parser.add_argument("--repeat", type=int, default=1, help="runs per step; the fastest counts")
    args = parser.parse_args()

    entries = json.loads(args.corpus.read_text(encoding="utf-8"))[: args.limit]
    if not entries:
        parser.error(f"{args.corpus}: no schemas")
    # Warm up once: imports and first-call caches are paid once per process, not per model.
    for entry in entries[:3]:
        warm = normalize(documented(entry))
        python_module(warm)
        render_docs([warm], ENV)

    timings: list[Timing] = []
    with tempfile.TemporaryDirectory() as tmp:
        header = f"{'model':<55} {'norm':>7} {'python':>7} {'docs':>7} {'total':>7} {'CLI':>8}"
        print(header + f" {'CLI/in-process':>15}")
        for entry in entries:
            t = measure(entry, Path(tmp), args.repeat)
            timings.append(t)
            print(
                f"{t.model_id:<55} {t.normalize_ms:7.1f} {t.python_ms:7.1f} {t.docs_ms:7.1f} "
                f"{t.in_process_ms:7.1f} {t.cli_ms:8.1f} {t.cli_ms / t.in_process_ms:14.1f}x"
            )

    in_process = sum(t.in_process_ms for t in timings)
    cli = sum(t.cli_ms for t in timings)
    print()
    print(f"models: {len(timings)} (ms per model; fastest of {args.repeat} run(s) per step)")
    print(
        f"in process: total {in_process:.0f} ms, median "
        f"{statistics.median(t.in_process_ms for t in timings):.1f} ms/model "
        f"(normalize {sum(t.normalize_ms for t in timings):.0f}, "
        f"python {sum(t.python_ms for t in timings):.0f}, "
        f"docs {sum(t.docs_ms for t in timings):.0f})"
    )
    print(
        f"datamodel-codegen CLI: total {cli:.0f} ms, median "
        f"{statistics.median(t.cli_ms for t in timings):.1f} ms/model"
    )
    print(f"ratio CLI / in process: {cli / in_process:.1f}x")
    print(f"machine: {platform.platform()}, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
