"""Session fixtures: the seed pages and the corpus from ../shared (never copied here), and the
corpus generated once for every test that needs it.

Helpers that tests import live in ``tests/support/``; this file holds fixtures only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.corpus import write_corpus_schemas
from tests.support.paths import CORPUS, SEEDS


def _need(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must have ../shared beside the checkout")
        pytest.skip(f"{path} not found: the shared seeds/corpus sit beside the checkout in CI")
    return path


@pytest.fixture(scope="session")
def seed_pages() -> list[Path]:
    return sorted(_need(SEEDS).glob("*.txt"))


@pytest.fixture(scope="session")
def corpus() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(_need(CORPUS).read_text(encoding="utf-8"))
    return entries


@pytest.fixture(scope="session")
def corpus_schemas(corpus: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A schemas folder holding every corpus model (written once per session)."""
    return write_corpus_schemas(tmp_path_factory.mktemp("corpus") / "schemas", corpus)


@pytest.fixture(scope="session")
def corpus_generated(corpus_schemas: Path) -> Path:
    """``generate`` over the corpus, once per session: the output folder (``python/`` ...)."""
    from generator.output.build import build_outputs
    from generator.output.tree import write_tree

    out = corpus_schemas.parent / "generated"
    write_tree(out, build_outputs(corpus_schemas))
    return out
