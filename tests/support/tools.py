"""mypy --strict and ruff over a generated package, as subprocesses of this venv."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_mypy(
    package_root: Path, *extra: str, package: str = "runcomfy_models"
) -> subprocess.CompletedProcess[str]:
    """mypy --strict over ``package_root/<package>`` (and any ``extra`` files)."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", package, *extra],
        cwd=package_root, capture_output=True, text=True, check=False,
    )  # fmt: skip


def run_ruff(package_root: Path) -> subprocess.CompletedProcess[str]:
    ruff = Path(sys.executable).with_name("ruff")
    return subprocess.run(
        [str(ruff), "check", "--no-cache", "."], cwd=package_root,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
