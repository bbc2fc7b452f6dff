"""Every schema of ../shared/corpus generates a package that imports, validates and type-checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.generated.test_typecheck import run_mypy, run_ruff

_IMPORT_ALL = """
import importlib, json, sys
from runcomfy_models import MODELS, RunComfy, AsyncRunComfy
client = RunComfy(token="t")
count = 0
for model_id, attribute in MODELS.items():
    module = importlib.import_module("runcomfy_models.models." + attribute)
    assert getattr(client, attribute).model_id == model_id
    assert getattr(AsyncRunComfy(token="t"), attribute).model_id == model_id
    issues = module.validate({})
    required = module.INPUT_SCHEMA.get("required", [])
    assert sorted(i.pointer for i in issues) == sorted("/" + k for k in required), model_id
    count += 1
print(count)
"""


def test_corpus_generates_imports_and_type_checks(
    corpus: list[dict[str, Any]], corpus_tree: Path
) -> None:
    package_root = corpus_tree / "generated" / "python"
    modules = list((package_root / "runcomfy_models/models").glob("*.py"))
    assert len(modules) == len(corpus) + 1  # + models/__init__.py

    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], cwd=package_root,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == str(len(corpus))

    typed = run_mypy(package_root)
    assert typed.returncode == 0, typed.stdout[-3000:]
    linted = run_ruff(package_root)
    assert linted.returncode == 0, linted.stdout[-3000:]
