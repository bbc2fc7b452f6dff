"""The hooks of .pre-commit-hooks.yaml, run as pre-commit runs them."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.support.paths import ROOT

HOOKS: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def hook(hook_id: str) -> dict[str, Any]:
    return next(h for h in HOOKS if h["id"] == hook_id)


def run_hook(hook_id: str, cwd: Path) -> tuple[int, str]:
    """Run the hook's entry as pre-commit does: in the repository root, with no file names."""
    words = shlex.split(hook(hook_id)["entry"])
    assert words[0] == "runcomfy-codegen"
    executable = Path(sys.executable).parent / words[0]  # installed by the project's venv
    done = subprocess.run(
        [str(executable), *words[1:]], cwd=cwd, capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout + done.stderr
