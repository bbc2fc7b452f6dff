"""The committed generated/ folder, the bundled models, and the corpus package imported once.

The corpus itself is generated once per session by ``corpus_generated`` (tests/conftest.py);
``corpus_sdk`` imports that package in-process under another name (``runcomfy_corpus``: its
imports are relative), so it never collides with the committed ``runcomfy_models``.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.output.build import load_specs
from generator.schema.ir import ModelSpec
from tests.support.paths import PACKAGE_ROOT, SCHEMAS

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
def corpus_tree(corpus_schemas: Path, corpus_generated: Path) -> Path:
    """``<root>/schemas`` (the corpus as model files) and ``<root>/generated``, built once."""
    assert corpus_generated.parent == corpus_schemas.parent
    return corpus_schemas.parent


@pytest.fixture(scope="session")
def corpus_specs(corpus_schemas: Path) -> list[ModelSpec]:
    return load_specs(corpus_schemas)


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
