"""``import runcomfy_models`` at catalog size versus importing its dependencies.

Generates the package for the 124 models of ``../shared/corpus`` plus ``schemas/`` (or uses
``--package-dir``, a folder holding ``runcomfy_models``), then times in fresh interpreters
(the import alone, interpreter start-up excluded; median of ``--repeat`` runs):

* ``import pydantic, httpx`` (the anchor; pydantic's top level is lazy);
* ``from pydantic import BaseModel; import httpx`` (what any code defining a model pays);
* ``import runcomfy_models`` (model modules load lazily);
* ``import runcomfy_models`` and the first use of one model's client (only its module loads);
* importing every model module (what an eager package would cost).

Run on demand: ``python benchmarks/bench_import.py [--repeat 15] [--package-dir DIR]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = {
    "import pydantic, httpx": "import pydantic, httpx",
    "from pydantic import BaseModel; import httpx": "from pydantic import BaseModel; import httpx",
    "import runcomfy_models": "import runcomfy_models",
    "import + first use of one model": (
        "import runcomfy_models as p\ngetattr(p.RunComfy(token='t'), next(iter(p.MODELS.values())))"
    ),
    "import every model module (eager)": (
        "import importlib, runcomfy_models as p\n"
        "for m in p.MODELS.values(): importlib.import_module('runcomfy_models.models.' + m)"
    ),
}
_TIMED = """
import sys, time
started = time.perf_counter()
exec(compile({code!r}, "<bench>", "exec"))
elapsed = time.perf_counter() - started
loaded = sum(name.startswith("runcomfy_models.models.") for name in sys.modules)
print(elapsed, loaded)
"""


def _build(target: Path) -> Path:
    import json

    from generator.output.build import build_outputs
    from generator.output.tree import write_tree
    from generator.schema.documented import dump_model_file, model_path
    from tests.schema.test_corpus import corpus_model

    schemas = target / "schemas"
    corpus = ROOT.parent / "shared" / "corpus" / "catalog-input-schemas.json"
    for entry in json.loads(corpus.read_text(encoding="utf-8")):
        model = corpus_model(entry)
        path = model_path(schemas, model.model_id, model.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_model_file(model), encoding="utf-8")
    for source in (ROOT / "schemas").rglob("*.json"):
        copy = schemas / source.relative_to(ROOT / "schemas")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(source.read_bytes())
    write_tree(target / "generated", build_outputs(schemas))
    return target / "generated" / "python"


# Bytecode caches are written (as pip does on install), so the generated package is not
# compiled on every import while httpx and pydantic load theirs.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _once(code: str, package_dir: Path) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, "-c", _TIMED.format(code=code)],
        cwd=package_dir, capture_output=True, text=True, check=True, env=_ENV,
    ).stdout.split()  # fmt: skip
    return float(out[0]), int(out[1])


def _time_all(package_dir: Path, repeat: int) -> dict[str, tuple[float, int]]:
    """Interleaved rounds (a busy machine slows every case alike), after one warm-up round
    that also writes the bytecode caches."""
    for code in CASES.values():
        _once(code, package_dir)
    runs: dict[str, list[float]] = {name: [] for name in CASES}
    loaded: dict[str, int] = {}
    for _ in range(repeat):
        for name, code in CASES.items():
            seconds, loaded[name] = _once(code, package_dir)
            runs[name].append(seconds)
    return {name: (statistics.median(runs[name]) * 1000, loaded[name]) for name in CASES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--package-dir", type=Path)
    parser.add_argument("--keep", type=Path, help="build the package into this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        package_dir = args.package_dir or _build(args.keep or Path(scratch))
        count = len(list((package_dir / "runcomfy_models" / "models").glob("*.py"))) - 1
        print(f"package: {count} models, median of {args.repeat} fresh interpreters")
        results = _time_all(package_dir, args.repeat)
    anchor = results["import pydantic, httpx"][0]
    with_model = results["from pydantic import BaseModel; import httpx"][0]
    for name, (ms, loaded) in results.items():
        print(
            f"{name:48} {ms:8.1f} ms  {ms / anchor:5.2f}x anchor  {ms / with_model:5.2f}x "
            f"BaseModel+httpx  model modules loaded: {loaded}"
        )


if __name__ == "__main__":
    main()
