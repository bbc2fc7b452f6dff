"""``runcomfy-codegen serve`` as a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.serve.conftest import ALEPH, ROOT, SCHEMAS

_CLI = [sys.executable, "-c", "from generator.cli import main; main()"]


@contextmanager
def _serve(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [*_CLI, "serve", "--port", "0", "--schemas", str(SCHEMAS), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("serving 4 model(s) on http://127.0.0.1:"), first
        yield process, first.rsplit(" ", 1)[1].strip()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def test_serve_runs_a_job_and_stops_on_ctrl_c() -> None:
    with _serve("--token", "cli-token", "--queue-seconds", "0", "--progress-seconds", "0") as (
        process,
        base_url,
    ):
        headers = {"Authorization": "Bearer cli-token"}
        body = {"video_url": f"{base_url}/samples/video.mp4", "prompt": "p", "ratio": "1280:720"}
        submitted = httpx.post(f"{base_url}/v1/models/{ALEPH}", json=body, headers=headers)
        assert submitted.status_code == 200
        result = httpx.get(submitted.json()["result_url"], headers=headers).json()
        assert result["status"] == "completed"
        assert httpx.get(result["output"]["video"]).content[4:8] == b"ftyp"
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert f"POST /v1/models/{ALEPH} -> 200" in out
    assert out.rstrip().endswith("stopped")


def test_token_comes_from_the_environment() -> None:
    with _serve("--quiet", env={"RUNCOMFY_API_TOKEN": "from-env"}) as (_, base_url):
        good = httpx.get(
            f"{base_url}/v1/requests/x/status", headers={"Authorization": "Bearer from-env"}
        )
        assert good.status_code == 404
        bad = httpx.get(
            f"{base_url}/v1/requests/x/status", headers={"Authorization": "Bearer other"}
        )
        assert bad.status_code == 401


def test_faults_from_flags_and_file(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"method": "GET", "path": "/v1/requests/*", "kind": "502"}]))
    args = ("--token", "t", "--faults", str(faults), "--fault", "POST /v1/models/*:503:count=1")
    with _serve(*args) as (_, base_url):
        headers = {"Authorization": "Bearer t"}
        assert (
            httpx.post(f"{base_url}/v1/models/{ALEPH}", json={}, headers=headers).status_code == 503
        )
        assert (
            httpx.post(f"{base_url}/v1/models/{ALEPH}", json={}, headers=headers).status_code == 422
        )
        assert httpx.get(f"{base_url}/v1/requests/x/status", headers=headers).status_code == 502


def test_bad_fault_spec_is_a_usage_error() -> None:
    done = subprocess.run(
        [*_CLI, "serve", "--fault", "POST /v1/models/*:teapot"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown fault kind 'teapot'" in done.stderr


def test_bad_faults_file_names_file_and_pointer(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text('[{"path": "/x", "kind": "nope"}]')
    done = subprocess.run(
        [*_CLI, "serve", "--faults", str(faults)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {faults}#/0: unknown fault kind 'nope'")


def test_a_token_the_clients_would_refuse_is_a_usage_error() -> None:
    """`RUNCOMFY_API_TOKEN="tok\n" serve` started a server no client could talk to."""
    for where in ("flag", "environment"):
        args = ["--token", "secret-token\n"] if where == "flag" else []
        env = {**os.environ, "RUNCOMFY_API_TOKEN": "secret token"}
        done = subprocess.run(
            [*_CLI, "serve", "--port", "0", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert done.returncode == 2, done.stderr
        assert "the token holds whitespace or control characters" in done.stderr
        assert "secret" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--queue-seconds", "nan"),
        ("--queue-seconds", "inf"),
        ("--queue-seconds", "-1"),
        ("--queue-seconds", "1e400"),
        ("--progress-seconds", "nan"),
        ("--progress-seconds", "-0.5"),
        ("--progress-seconds", "1e12"),
        ("--queue-position", "-1"),
        ("--queue-position", "1" + "0" * 400),
    ],
)
def test_numbers_without_meaning_are_usage_errors(option: str, value: str) -> None:
    """`--queue-seconds nan` started a server whose every status answer was an error; a
    400-digit `--queue-position` overflowed the count-down the same way."""
    done = subprocess.run(
        [*_CLI, "serve", "--port", "0", option, value],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""  # refused before listening
    [line] = done.stderr.splitlines()
    assert line.startswith("error: ") and f"Invalid value for '{option}': " in line
    assert "Traceback" not in done.stderr


def test_host_flag_listens_there_and_warns_only_off_loopback() -> None:
    """--host: any loopback address is quiet; every other one is warned about (docs/serve.md).
    The warning is checked on the address test alone: no test listens beyond loopback."""
    from generator.cli.serve_cmd import _is_loopback

    process = subprocess.Popen(
        [*_CLI, "serve", "--host", "127.0.0.2", "--port", "0", "--token", "t", "--schemas",
         str(SCHEMAS)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("serving 4 model(s) on http://127.0.0.2:"), first
        base_url = first.rsplit(" ", 1)[1].strip()
        assert httpx.get(f"{base_url}/").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0 and "warning" not in err
    assert all(map(_is_loopback, ["127.0.0.1", "127.0.0.2", "::1", "localhost"]))
    assert not any(map(_is_loopback, ["0.0.0.0", "::", "192.0.2.1", "example.com"]))
