"""A package generated under other names works end to end: it imports, runs a model against the
local server, names itself in its User-Agent and logger, `run` drives it, and mypy --strict
passes over it.

The package is generated once, through the CLI as a user would, from the seed models
(``schemas/``) with ``--distribution-name acme-models --import-name acme_models``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.serve import RunningServer, serve_in_thread
from tests.support.paths import PACKAGE_ROOT, ROOT, SCHEMAS
from tests.support.tools import run_mypy

DISTRIBUTION = "acme-models"
PACKAGE = "acme_models"
TOKEN = "acme-test-token"
ALEPH = "runwayml/runway-aleph/video-to-video"
_CLI = [sys.executable, "-c", "from generator.cli import main; main()"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNCOMFY_")}
    return {**env, "RUNCOMFY_API_TOKEN": TOKEN}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_CLI, *args], cwd=cwd, capture_output=True, text=True, env=_env(), timeout=300
    )


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated output folder; its package is ``python/acme_models``."""
    work = tmp_path_factory.mktemp("acme")
    out = work / "generated"
    done = _cli(
        "generate", "--schemas", str(SCHEMAS), "--out", str(out),
        "--distribution-name", DISTRIBUTION, "--import-name", PACKAGE,
        cwd=work,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serve_in_thread(SCHEMAS, token=TOKEN) as running:
        yield running


def _aleph_inputs(server: RunningServer) -> dict[str, str]:
    return {"video_url": server.sample_url("video.mp4"), "prompt": "a cat", "ratio": "1280:720"}


def test_every_file_names_the_package_as_configured(acme: Path) -> None:
    package = acme / "python" / PACKAGE
    assert (package / "__init__.py").is_file()
    assert sorted(p.name for p in (acme / "python").iterdir()) == [
        "CHANGELOG.md", "README.md", PACKAGE, "pyproject.toml"
    ]  # fmt: skip
    pyproject = (acme / "python" / "pyproject.toml").read_text(encoding="utf-8")
    assert f'name = "{DISTRIBUTION}"' in pyproject and f'packages = ["{PACKAGE}"]' in pyproject
    changelog = (acme / "python" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith(f"# Changelog of {DISTRIBUTION}\n")
    docs = (acme / "docs" / f"{ALEPH}.md").read_text(encoding="utf-8")
    assert f"from {PACKAGE} import RunComfy" in docs
    # No file anywhere still spells the default names.
    for path in acme.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "runcomfy_models" not in text and "runcomfy-models" not in text, path


def test_the_vendored_runtime_is_the_same_bytes_under_every_name(acme: Path) -> None:
    ours = acme / "python" / PACKAGE / "_runtime"
    golden = PACKAGE_ROOT / "runcomfy_models" / "_runtime"
    names = sorted(p.name for p in ours.glob("*.py"))
    assert names == sorted(p.name for p in golden.glob("*.py"))
    for name in names:
        assert (ours / name).read_bytes() == (golden / name).read_bytes(), name
        assert (ours / name).read_bytes() == (ROOT / "generator/runtime" / name).read_bytes()


_RUN_ONE = """
import json, logging, sys
import httpx
import acme_models

base_url, inputs = sys.argv[1], json.loads(sys.argv[2])
agents, loggers = [], []

class Keep(logging.Handler):
    def emit(self, record):
        loggers.append(record.name)

logger = logging.getLogger("acme_models")
logger.addHandler(Keep())
logger.setLevel(logging.DEBUG)
http = httpx.Client(event_hooks={"request": [lambda r: agents.append(r.headers["user-agent"])]})
fast = acme_models.PollPolicy(initial_interval=0.0, max_interval=0.0)
with http, acme_models.RunComfy(base_url=base_url, http_client=http, poll_policy=fast) as client:
    result = client.runwayml_runway_aleph_video_to_video.run(**inputs)
print(json.dumps({
    "urls": result.urls(),
    "agents": sorted(set(agents)),
    "loggers": sorted(set(loggers)),
    "distribution": acme_models.__distribution__,
    "other": sorted(m for m in sys.modules if m.split(".")[0] == "runcomfy_models"),
}))
"""


def test_the_package_imports_and_runs_a_model_against_serve(
    acme: Path, server: RunningServer
) -> None:
    before = server.jobs_created(ALEPH)
    done = subprocess.run(
        [sys.executable, "-c", _RUN_ONE, server.base_url, json.dumps(_aleph_inputs(server))],
        cwd=acme / "python", capture_output=True, text=True, env=_env(), timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    [url] = seen["urls"]
    assert url.startswith(f"{server.base_url}/files/") and url.endswith("/output.mp4")
    assert server.jobs_created(ALEPH) == before + 1
    # The runtime names the package it was generated into, not the default one.
    assert seen["agents"] == [f"{DISTRIBUTION}/0.1.0"]
    assert seen["loggers"] == [PACKAGE]
    assert seen["distribution"] == DISTRIBUTION
    assert seen["other"] == []


def _run_aleph(
    server: RunningServer, cwd: Path, *args: str, isolated: bool = False
) -> subprocess.CompletedProcess[str]:
    sets = [f"--set={key}={value}" for key, value in _aleph_inputs(server).items()]
    group = ["--isolated"] if isolated else []
    return _cli(
        *group, "run", ALEPH, *sets, "--base-url", server.base_url, "--poll-interval", "0", *args,
        cwd=cwd,
    )  # fmt: skip


def test_run_drives_the_package_by_flag_or_configured_name(
    acme: Path, server: RunningServer, tmp_path: Path
) -> None:
    python = str(acme / "python")
    by_flag = _run_aleph(server, tmp_path, "--package-dir", python, "--import-name", PACKAGE)
    assert by_flag.returncode == 0, by_flag.stderr
    assert by_flag.stdout.startswith(f"{server.base_url}/files/")
    # The default name is not there: one line naming what is missing, exit 2.
    missing = _run_aleph(server, tmp_path, "--package-dir", python, isolated=True)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "no generated package runcomfy_models/" in missing.stderr
    # The configuration names the package for `run` as it does for `generate`.
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.runcomfy-codegen]\nout-dir = "{acme.as_posix()}"\nimport-name = "{PACKAGE}"\n',
        encoding="utf-8",
    )
    configured = _run_aleph(server, tmp_path)
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.startswith(f"{server.base_url}/files/")


_USE = """
from acme_models import RunComfy, NOT_GIVEN
from acme_models._runtime import RequestHandle
from acme_models.models.runwayml_runway_aleph_video_to_video import (
    RunwaymlRunwayAlephVideoToVideoOutput,
)

def use(client: RunComfy) -> RequestHandle[RunwaymlRunwayAlephVideoToVideoOutput]:
    return client.runwayml_runway_aleph_video_to_video.submit(
        prompt="p", video_url="https://x/v.mp4", ratio="1280:720", image_url=NOT_GIVEN
    )
"""


def test_mypy_strict_passes_over_the_package(acme: Path, tmp_path: Path) -> None:
    (tmp_path / "use.py").write_text(_USE, encoding="utf-8")
    result = run_mypy(acme / "python", str(tmp_path / "use.py"), package=PACKAGE)
    assert result.returncode == 0, result.stdout + result.stderr
