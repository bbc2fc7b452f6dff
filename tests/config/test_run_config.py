"""``run`` takes base-url and out-dir from the configuration, end to end against ``serve``.

Precedence for the base URL: --base-url, then $RUNCOMFY_BASE_URL, then the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.serve import RunningServer, serve_in_thread
from tests.support.paths import ROOT

TOKEN = "config-test-token"
ALEPH = "runwayml/runway-aleph/video-to-video"
#: Nothing listens on the discard port: a run sent there cannot succeed.
DEAD_URL = "http://127.0.0.1:9"

pytestmark = pytest.mark.skipif(
    not (ROOT / "generated" / "python" / "runcomfy_models" / "__init__.py").exists(),
    reason="generated/python is missing: run `make generate`",
)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serve_in_thread(ROOT / "schemas", token=TOKEN) as running:
        yield running


def _project(tmp_path: Path, base_url: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.runcomfy-codegen]\nout-dir = "{(ROOT / "generated").as_posix()}"\n'
        f'base-url = "{base_url}"\n',
        encoding="utf-8",
    )
    return tmp_path


def _run(
    project: Path, server: RunningServer, *args: str, env_base_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNCOMFY_")}
    env["RUNCOMFY_API_TOKEN"] = TOKEN
    if env_base_url is not None:
        env["RUNCOMFY_BASE_URL"] = env_base_url
    inputs = ("--set", f"video_url={server.sample_url('video.mp4')}", "--set", "prompt=a cat")
    return subprocess.run(
        [sys.executable, "-c", "from generator.cli import main; main()", "run", ALEPH,
         *inputs, "--set", "ratio=1280:720", "--no-wait", *args],
        cwd=project, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_run_uses_the_configured_base_url_and_package(
    tmp_path: Path, server: RunningServer
) -> None:
    before = server.jobs_created(ALEPH)
    done = _run(_project(tmp_path, server.base_url), server)
    assert done.returncode == 0, done.stderr
    assert server.jobs_created(ALEPH) == before + 1


def test_flag_and_environment_win_over_the_file(tmp_path: Path, server: RunningServer) -> None:
    project = _project(tmp_path, DEAD_URL)
    before = server.jobs_created(ALEPH)
    assert _run(project, server, "--base-url", server.base_url).returncode == 0
    assert _run(project, server, env_base_url=server.base_url).returncode == 0
    assert server.jobs_created(ALEPH) == before + 2
