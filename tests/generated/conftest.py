"""The committed generated/ folder, the bundled models, and the corpus generated once.

``corpus_tree`` generates the 120 schemas of ``../shared/corpus`` once per session (normalize,
generate, write), for every test that needs a catalog-size package; ``corpus_sdk`` imports
that package in-process under another name (``runcomfy_corpus``: its imports are relative),
so it never collides with the committed ``runcomfy_models``.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.output.build import build_outputs, load_specs
from generator.output.tree import write_tree
from generator.schema.documented import dump_model_file, model_path
from generator.schema.ir import ModelSpec
from tests.schema.test_corpus import corpus_model

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
PACKAGE_ROOT = GENERATED / "python"
SCHEMAS = ROOT / "schemas"
CORPUS_PACKAGE = "runcomfy_corpus"


@pytest.fixture(scope="session")
def bundled_specs() -> list[ModelSpec]:
    return load_specs(SCHEMAS)


@pytest.fixture(scope="session")
def generated_package() -> Iterator[Path]:
    """Makes ``import runcomfy_models`` load the committed generated package."""
    sys.path.insert(0, str(PACKAGE_ROOT))
    try:
        yield PACKAGE_ROOT
    finally:
        sys.path.remove(str(PACKAGE_ROOT))


@pytest.fixture(scope="session")
def corpus_tree(corpus: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``<root>/schemas`` (the corpus as model files) and ``<root>/generated``, built once."""
    root = tmp_path_factory.mktemp("corpus")
    schemas = root / "schemas"
    for entry in corpus:
        model = corpus_model(entry)
        path = model_path(schemas, model.model_id, model.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_model_file(model), encoding="utf-8")
    write_tree(root / "generated", build_outputs(schemas))
    return root


@pytest.fixture(scope="session")
def corpus_specs(corpus_tree: Path) -> list[ModelSpec]:
    return load_specs(corpus_tree / "schemas")


@pytest.fixture(scope="session")
def corpus_sdk(corpus_tree: Path) -> Iterator[ModuleType]:
    """The generated corpus package, imported as ``runcomfy_corpus``."""
    root = corpus_tree / "importable"
    shutil.copytree(
        corpus_tree / "generated/python/runcomfy_models", root / CORPUS_PACKAGE, dirs_exist_ok=True
    )
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(CORPUS_PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n.split(".")[0] == CORPUS_PACKAGE]:
            del sys.modules[name]


def model_module(sdk: ModuleType, model_id: str) -> ModuleType:
    """The module of ``model_id`` in a generated package."""
    return importlib.import_module(f"{sdk.__name__}.models.{sdk.MODELS[model_id]}")
