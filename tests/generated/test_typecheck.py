"""The committed package passes mypy --strict and ruff, including a typed use of a client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import PACKAGE_ROOT
from tests.support.tools import run_mypy, run_ruff

_USE = """
from runcomfy_models import RunComfy, NOT_GIVEN
from runcomfy_models.models.runwayml_runway_aleph_video_to_video import (
    RunwaymlRunwayAlephVideoToVideoOutput,
)
from runcomfy_models._runtime import RequestHandle

def use(client: RunComfy) -> RequestHandle[RunwaymlRunwayAlephVideoToVideoOutput]:
    return client.runwayml_runway_aleph_video_to_video.submit(
        prompt="p", video_url="https://x/v.mp4", ratio="1280:720", image_url=NOT_GIVEN
    )
"""
_MISUSE = """
from runcomfy_models import RunComfy

def misuse(client: RunComfy) -> None:
    client.runwayml_runway_aleph_video_to_video.submit(
        prompt="p", video_url="https://x/v.mp4", ratio="1:1", image_url=None
    )
"""


def test_mypy_strict_passes_and_types_the_keyword_arguments(tmp_path: Path) -> None:
    (tmp_path / "use.py").write_text(_USE)
    (tmp_path / "misuse.py").write_text(_MISUSE)
    result = run_mypy(PACKAGE_ROOT, str(tmp_path / "use.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_mypy(PACKAGE_ROOT, str(tmp_path / "misuse.py"))
    assert result.returncode == 1
    assert '"ratio"' in result.stdout and '"image_url"' in result.stdout, result.stdout


def test_ruff_passes() -> None:
    result = run_ruff(PACKAGE_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
