"""``generate`` on the whole catalog, side by side with its anchors, in one run.

Builds a schemas folder of every corpus entry (``../shared/corpus``, with the standard output
schema) plus the seed models of ``schemas/``, then measures, each as the median of
``--repeat`` runs of the installed ``runcomfy-codegen`` in a subprocess:

* cold ``generate`` (empty output folder and cache): CPU-seconds of the process and all its
  children (render pool, import check), against the anchor, ``datamodel-codegen`` run once per
  normalized input schema, sequentially (CPU-seconds of those processes);
* no-op ``generate`` and ``generate --check`` on the up-to-date tree: wall seconds (target 1 s);
* one changed model: wall seconds (target 2 s);
* start-up: seconds of imports (``python -X importtime``) of ``--help`` and of an up-to-date
  ``generate --check`` (target 0.3 s).

Run on demand (``make bench``); never part of the test suite. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.schema.documented import dump_model_file, model_path  # noqa: E402
from tests.schema.test_corpus import corpus_model  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "catalog-input-schemas.json"
BIN = Path(sys.executable).parent
TOOL = str(BIN / "runcomfy-codegen")


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float


def run(args: list[str], cwd: Path | None = None) -> Run:
    """Wall and CPU seconds (user + system, the process and its waited-for descendants)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu)


def median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(r, field) for r in runs)


def build_catalog(corpus: Path, dest: Path) -> int:
    shutil.copytree(ROOT / "schemas", dest)
    for entry in json.loads(corpus.read_text(encoding="utf-8")):
        model = corpus_model(entry)
        path = model_path(dest, model.model_id, model.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_model_file(model), encoding="utf-8")
    return sum(1 for _ in dest.rglob("*.json"))


def generate(schemas: Path, out: Path, *extra: str) -> list[str]:
    return [TOOL, "-q", "generate", "--schemas", str(schemas), "--out", str(out), *extra]


def import_seconds(args: list[str], cwd: Path) -> float:
    """Sum of every module's own import time, from ``python -X importtime``."""
    code = f"import sys; sys.argv = {['runcomfy-codegen', *args]!r}; "
    code += "from generator.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], cwd=cwd, capture_output=True, text=True
    )
    own = re.findall(r"^import time:\s+(\d+) \|", done.stderr, flags=re.MULTILINE)
    return sum(int(us) for us in own) / 1e6


def cli_anchor(normalized: Path, limit: int | None) -> tuple[float, int]:
    """CPU-seconds of one ``datamodel-codegen`` process per normalized input schema."""
    schemas = sorted(normalized.rglob("input.schema.json"))
    measured = schemas[:limit] if limit else schemas
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for schema in measured:
            command = [str(BIN / "datamodel-codegen"), "--input", str(schema)]
            command += ["--input-file-type", "jsonschema", "--target-python-version", "3.11"]
            command += ["--output-model-type", "pydantic_v2.BaseModel", "--disable-timestamp"]
            total += run([*command, "--output", str(Path(tmp) / "models.py")]).cpu
    return total * len(schemas) / len(measured), len(measured)


def edit_one(model_file: Path, key: str) -> None:
    data: dict[str, Any] = json.loads(model_file.read_text(encoding="utf-8"))
    data["input_schema"]["properties"][key] = {"type": "integer", "description": "benchmark"}
    model_file.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def repeat(
    times: int, prepare: Callable[[int], None], args: Callable[[int], list[str]]
) -> list[Run]:
    runs = []
    for i in range(times):
        prepare(i)
        runs.append(run(args(i)))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; medians count")
    parser.add_argument(
        "--cli-limit", type=int, default=None,
        help="time datamodel-codegen on the first N schemas only and scale to all",
    )  # fmt: skip
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        schemas = tmp / "schemas"
        models = build_catalog(args.corpus, schemas)
        out = tmp / "generated"
        cold = repeat(
            args.repeat,
            lambda i: [shutil.rmtree(p, ignore_errors=True) for p in (out, tmp / "cache")],
            lambda i: generate(schemas, out, "--cache-dir", str(tmp / "cache")),
        )
        anchor_cpu, measured = cli_anchor(out / "schemas", args.cli_limit)
        warm = ["--cache-dir", str(tmp / "cache")]
        noop = repeat(args.repeat, lambda i: None, lambda i: generate(schemas, out, *warm))
        check = repeat(
            args.repeat, lambda i: None, lambda i: generate(schemas, out, "--check", *warm)
        )
        changed_file = schemas / "runwayml/runway-aleph/video-to-video.json"
        original = changed_file.read_bytes()
        one = repeat(
            args.repeat,
            lambda i: edit_one(changed_file, f"benchmark_{i}_{time.time_ns()}"),
            lambda i: generate(schemas, out, *warm),
        )
        changed_file.write_bytes(original)
        run(generate(schemas, out, *warm))
        help_imports = statistics.median(
            import_seconds(["--help"], tmp) for _ in range(args.repeat)
        )
        check_args = ["-q", "generate", "--check", "--schemas", str(schemas), "--out", str(out)]
        check_imports = statistics.median(
            import_seconds([*check_args, *warm], tmp) for _ in range(args.repeat)
        )

    print(
        f"{models} models; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}; medians of {args.repeat} runs\n"
    )
    anchor_note = "" if measured == models else f" (measured on {measured}, scaled)"
    rows = [
        ("cold generate, CPU-s", median(cold, "cpu"),
         f"datamodel-codegen CLI x{models}: {anchor_cpu:.1f} CPU-s{anchor_note}",
         f"{anchor_cpu / median(cold, 'cpu'):.1f}x fewer (target 10x)"),
        ("cold generate, wall s", median(cold, "wall"), "-", "-"),
        ("no-op generate, CPU-s", median(noop, "cpu"), "-", "-"),
        ("no-op generate, wall s", median(noop, "wall"), "target 1 s",
         f"{median(noop, 'wall') / 1.0:.2f} of target"),
        ("generate --check, wall s", median(check, "wall"), "target 1 s",
         f"{median(check, 'wall') / 1.0:.2f} of target"),
        ("one model changed, CPU-s", median(one, "cpu"), "-", "-"),
        ("one model changed, wall s", median(one, "wall"), "target 2 s",
         f"{median(one, 'wall') / 2.0:.2f} of target"),
        ("--help, import s", help_imports, "target 0.3 s", f"{help_imports / 0.3:.2f} of target"),
        ("generate --check, import s", check_imports, "target 0.3 s",
         f"{check_imports / 0.3:.2f} of target"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'median':>8}  {'anchor':<52}  ratio")
    for name, value, anchor, ratio in rows:
        print(f"{name:<{width}}  {value:8.2f}  {anchor:<52}  {ratio}")


if __name__ == "__main__":
    main()
