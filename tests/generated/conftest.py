"""The committed generated/ folder and the bundled models, for the tests of the generated code."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.output.build import load_specs
from generator.schema.ir import ModelSpec
from tests.support.paths import PACKAGE_ROOT, SCHEMAS


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
