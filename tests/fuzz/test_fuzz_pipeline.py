"""Hostile model files and pages through import -> normalize -> generate -> import of the
package (tests/fuzz/pipeline.py says what must hold for every case).

CI runs a few dozen cases of each, derandomized (same cases every run); ``make fuzz`` runs many
more with fresh randomness: ``FUZZ_EXAMPLES`` cases per test (figures in docs/security.md).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.pipeline import TALLY, run_model_file, run_page
from tests.fuzz.strategies import model_files, pages

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
LONG_RUN = "FUZZ_EXAMPLES" in os.environ
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    TALLY.clear()
    yield
    figures = ", ".join(f"{name}: {count}" for name, count in sorted(TALLY.items()))
    print(f"\nfuzz figures: {figures}")  # shown with -s (make fuzz)
    path = os.environ.get("FUZZ_REPORT")
    if path:
        Path(path).write_text(figures + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def cases() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="runcomfy-fuzz-") as root:
        yield Path(root)


def _case_folder(root: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=root, prefix="case-"))


def test_hostile_model_files(cases: Path) -> None:
    @FUZZ
    @given(text=model_files())
    def check(text: str) -> None:
        run_model_file(_case_folder(cases), text)

    before = dict(TALLY)
    check()
    # A fuzz run that refuses everything would prove nothing about generated packages (and
    # one that refuses nothing, nothing about refusals). Checked here, not in a test of its
    # own: pytest-xdist may run another test of this module in another process.
    made = {name: count - before.get(name, 0) for name, count in TALLY.items()}
    assert made.get("generated, compiled and imported", 0) > 0, made
    assert made.get("refused (InputError, exit 2)", 0) > 0, made


def test_hostile_pages(cases: Path) -> None:
    @FUZZ
    @given(text=pages())
    def check(text: str) -> None:
        run_page(_case_folder(cases), text)

    check()
