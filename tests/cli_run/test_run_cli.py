"""``runcomfy-codegen run`` as a subprocess, against the local server on 127.0.0.1.

The command imports the committed generated package (generated/python), so these tests run the
real client end to end: no mocked transport anywhere.
"""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.serve import Fault, RunningServer, Schedule, parse_fault, serve_in_thread
from generator.serve.jobs import Job

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
PACKAGE_DIR = ROOT / "generated" / "python"
TOKEN = "run-test-token"
ALEPH = "runwayml/runway-aleph/video-to-video"
PORTRAIT = "community/fantasy-portrait/image-to-video"
DREAMINA = "bytedance/dreamina-3-0/pro/image-to-video"
_CLI = [sys.executable, "-c", "from generator.cli import main; main()"]
# Polling as fast as the client allows keeps the tests quick; the server's schedule counts
# polls, not seconds, so what each test sees does not depend on timing.
_FAST = ("--poll-interval", "0")

pytestmark = pytest.mark.skipif(
    not (PACKAGE_DIR / "runcomfy_models" / "__init__.py").exists(),
    reason="generated/python is missing: run `make generate`",
)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNCOMFY_")}
    return {**env, "RUNCOMFY_API_TOKEN": TOKEN, **extra}


def _command(server: RunningServer, model_id: str, *args: str) -> list[str]:
    return [*_CLI, "run", model_id, "--base-url", server.base_url, *_FAST, *args]


def _run(server: RunningServer, model_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(server, model_id, *args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )


@pytest.fixture
def server() -> Iterator[RunningServer]:
    with serve_in_thread(SCHEMAS, token=TOKEN) as running:
        yield running


def _aleph_args(server: RunningServer) -> tuple[str, ...]:
    return (
        "--set",
        f"video_url={server.sample_url('video.mp4')}",
        "--set",
        "prompt=a cat",
        "--set",
        "ratio=1280:720",
    )


def test_run_follows_the_job_prints_urls_and_saves_files(
    server: RunningServer, tmp_path: Path
) -> None:
    done = _run(server, ALEPH, *_aleph_args(server), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    [url] = done.stdout.splitlines()
    assert url.startswith(f"{server.base_url}/files/") and url.endswith("/output.mp4")
    # Not a terminal: one plain line per status change.
    statuses = [line.split()[0] for line in done.stderr.splitlines() if line.startswith("in_")]
    assert statuses == ["in_queue", "in_progress"]
    assert any(line.startswith("completed") for line in done.stderr.splitlines())
    [job] = server.jobs()
    saved = tmp_path / "out" / f"{job['request_id']}-0-output.mp4"
    assert f"saved: {saved}" in done.stderr
    assert saved.read_bytes()[4:8] == b"ftyp"
    assert server.jobs_created(ALEPH) == 1


def test_keys_by_python_name_or_wire_key_and_input_file(
    server: RunningServer, tmp_path: Path
) -> None:
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(
        json.dumps({"155_positive_prompt": "from the file", "149_steps": 8, "video": "x"})
    )
    done = _run(
        server,
        PORTRAIT,
        "--input",
        str(payload_file),
        "--set",
        f"image={server.sample_url('image.png')}",
        "--set",
        f"160_video={server.sample_url('video.mp4')}",
        "--set",
        "steps=7",
        "--set",
        "guidance_scale=1.5",
        "--no-wait",
    )
    assert done.returncode == 0, done.stderr
    [job] = server.jobs()
    given = {
        "155_positive_prompt": "from the file",
        "149_steps": 7,
        "160_video": server.sample_url("video.mp4"),
        "143_image": server.sample_url("image.png"),
        "149_cfg": 1.5,
    }
    # Exactly the keys given: documented defaults are the server's to apply.
    assert job["payload"] == given


def test_set_keeps_text_for_string_fields_and_wraps_lists(server: RunningServer) -> None:
    image = server.sample_url("image.png")
    done = _run(server, DREAMINA, "--set", "prompt=42", "--set", f"image_urls={image}", "--no-wait")
    assert done.returncode == 0, done.stderr
    payload = server.jobs()[0]["payload"]
    assert (payload["prompt"], payload["image_urls"]) == ("42", [image])


def test_no_wait_prints_the_request_and_polls_nothing(server: RunningServer) -> None:
    done = _run(server, ALEPH, *_aleph_args(server), "--no-wait")
    assert done.returncode == 0, done.stderr
    [job] = server.jobs()
    request_id = job["request_id"]
    base = f"{server.base_url}/v1/requests/{request_id}"
    assert done.stdout.splitlines() == [
        f"request_id: {request_id}",
        f"status_url: {base}/status",
        f"result_url: {base}/result",
        f"cancel_url: {base}/cancel",
    ]
    assert server.requests("GET") == []


def test_local_validation_error_exits_2_and_sends_nothing(server: RunningServer) -> None:
    done = _run(server, PORTRAIT, "--set", "prompt=x", "--set", "steps=many")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert f"error: {PORTRAIT}: /143_image (image): is required [required]" in lines
    assert any(line.startswith(f"error: {PORTRAIT}: /149_steps (steps): ") for line in lines)
    assert server.requests() == []


def test_server_validation_error_exits_2(server: RunningServer) -> None:
    small = server.sample_url("image-small.png")
    done = _run(server, DREAMINA, "--set", "prompt=x", "--set", f"image_urls={small}")
    assert done.returncode == 2
    assert "[width_pixels>]" in done.stderr and "[height_pixels>]" in done.stderr
    assert server.jobs_created() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--set", "colour=red"), "error: unknown input key 'colour' for"),
        (("--set", "no-equals-sign"), "error: --set 'no-equals-sign' is not key=value"),
        (("--package-dir", "/nonexistent"), "no generated package runcomfy_models/"),
        (("--input", "/nonexistent/payload.json"), "error: /nonexistent/payload.json: cannot read"),
    ],
)
def test_usage_errors_exit_2(server: RunningServer, args: tuple[str, ...], message: str) -> None:
    done = _run(server, ALEPH, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert server.requests() == []


@pytest.mark.parametrize("seconds", ["nan", "inf", "-1", "1e300"])
@pytest.mark.parametrize("option", ["--timeout", "--poll-interval"])
def test_seconds_must_be_finite(server: RunningServer, option: str, seconds: str) -> None:
    """`--timeout nan` was accepted and meant no deadline at all; `1e300` is beyond what a
    wait can take (threading.TIMEOUT_MAX is about 9e9 s)."""
    done = _run(server, ALEPH, *_aleph_args(server), option, seconds)
    assert done.returncode == 2
    assert f"{seconds} is not a number of seconds" in done.stderr
    assert server.requests() == []


def test_input_file_naming_one_field_twice_exits_2(server: RunningServer, tmp_path: Path) -> None:
    """`image` and `143_image` are one field: one of the two values was silently dropped."""
    payload = tmp_path / "payload.json"
    payload.write_text(
        json.dumps({"image": "https://a.test/1.png", "143_image": "https://b.test/2.png"})
    )
    done = _run(server, PORTRAIT, "--input", str(payload))
    assert done.returncode == 2
    assert done.stderr == (
        f"error: {payload}#/143_image: another key already names the input '143_image'\n"
    )
    assert server.requests() == []


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_numbers(
    server: RunningServer, tmp_path: Path, constant: str
) -> None:
    """`--set strength=NaN` passed every bound and ended in "internal error (ValueError: Out of
    range float values are not JSON compliant)"."""
    required = ("--set", "image=https://a.test/1.png", "--set", "video=https://a.test/v.mp4")
    done = _run(server, PORTRAIT, *required, "--set", "prompt=x", "--set", f"strength={constant}")
    assert done.returncode == 2
    assert "/150_strength (strength): must be a number, not a string [type]" in done.stderr
    payload = tmp_path / "payload.json"
    payload.write_text('{"150_strength": ' + constant + "}")
    done = _run(server, PORTRAIT, *required, "--input", str(payload))
    assert done.returncode == 2
    assert done.stderr == f"error: {payload}: not valid JSON: {constant} is not a JSON number\n"
    assert server.requests() == []


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "an input file larger than"),  # /dev/zero: read for ever, memory without end
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"149_shift": ' + "1" * 5000 + "}", "a number with too many digits"),
    ],
    ids=["dev-zero", "nested-100000", "5000-digits"],
)
def test_an_input_file_no_request_can_be_is_one_line(
    server: RunningServer, tmp_path: Path, content: str | None, words: str
) -> None:
    payload = Path("/dev/zero") if content is None else tmp_path / "payload.json"
    if content is not None:
        payload.write_text(content, encoding="utf-8")
    done = _run(server, PORTRAIT, "--input", str(payload))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: {payload}: ") and done.stderr.count("\n") == 1
    assert words in done.stderr, done.stderr
    assert server.requests() == []


def test_unknown_model_exits_2(server: RunningServer) -> None:
    done = _run(server, "nobody/nothing", "--set", "prompt=x")
    assert done.returncode == 2
    assert "error: unknown model 'nobody/nothing' (this package has: " in done.stderr


def test_failed_job_exits_1(server: RunningServer) -> None:
    server.set_faults([parse_fault("POST /v1/models/*:fail:message=the GPU caught fire")])
    done = _run(server, ALEPH, *_aleph_args(server))
    assert done.returncode == 1
    assert "the GPU caught fire" in done.stderr
    assert done.stdout == ""


def test_server_text_reaches_the_terminal_escaped(server: RunningServer) -> None:
    """A job's error message with a terminal escape (set the title, clear the screen) was
    printed as is; so were a 422's message, request ids and output URLs from the server."""
    escape = "\x1b]0;owned\x07\x1b[2J"
    server.set_faults([Fault("POST", "/v1/models/*", "fail", count=1, message=f"boom {escape}")])
    done = _run(server, ALEPH, *_aleph_args(server))
    assert done.returncode == 1
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert r"boom \x1b]0;owned\x07\x1b[2J" in done.stderr


def test_a_refused_submit_is_retried_once_and_runs_once(server: RunningServer) -> None:
    server.set_faults([parse_fault("POST /v1/models/*:503:count=1:retry_after=0")])
    done = _run(server, ALEPH, *_aleph_args(server))
    assert done.returncode == 0, done.stderr
    assert [r["outcome"] for r in server.requests("POST")] == [503, 200]
    assert server.jobs_created() == 1


def test_wrong_token_exits_1(server: RunningServer) -> None:
    done = subprocess.run(
        _command(server, ALEPH, *_aleph_args(server), "--token", "wrong"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert done.returncode == 1
    assert "error: submit failed:" in done.stderr and "wrong" not in done.stderr


def test_timeout_cancels_the_queued_job_and_exits_1() -> None:
    with serve_in_thread(SCHEMAS, token=TOKEN, schedule=Schedule(queue_polls=10**9)) as server:
        done = _run(server, ALEPH, *_aleph_args(server), "--timeout", "0.5")
        assert done.returncode == 1
        assert "deadline" in done.stderr
        assert [job["status"] for job in server.jobs()] == ["cancelled"]


def test_the_package_s_warnings_are_escaped_warning_lines() -> None:
    """A cancel failing at the deadline was logged through Python's last-resort handler: no
    `warning:` prefix and the server's text unescaped (a result's warnings even twice)."""
    fault = Fault("*", "/v1/requests/*/cancel", "500", message="no \x1b[2J cancel")
    with serve_in_thread(
        SCHEMAS, token=TOKEN, schedule=Schedule(queue_polls=10**9), faults=[fault]
    ) as server:
        done = _run(server, ALEPH, *_aleph_args(server), "--timeout", "0.5")
    assert done.returncode == 1
    warnings = [line for line in done.stderr.splitlines() if "on the deadline failed" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: cancel of "), done.stderr
    assert r"no \x1b[2J cancel" in warnings[0] and "\x1b" not in done.stderr


def _interrupt_while_waiting(server: RunningServer) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(
        _command(server, ALEPH, *_aleph_args(server)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    # Wait (bounded) until the client is polling, i.e. sits in wait().
    for _ in range(1200):
        if server.requests("GET") or process.poll() is not None:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_ctrl_c_on_a_queued_job_cancels_it() -> None:
    with serve_in_thread(SCHEMAS, token=TOKEN, schedule=Schedule(queue_polls=10**9)) as server:
        done = _interrupt_while_waiting(server)
        assert done.returncode == 130, done.stderr
        assert "Aborted!" not in done.stderr
        [job] = server.jobs()
        assert job["status"] == "cancelled"
        assert f"cancelled: {job['request_id']}" in done.stderr


def test_ctrl_c_on_a_running_job_leaves_it_running() -> None:
    schedule = Schedule(queue_polls=0, progress_polls=10**9)
    with serve_in_thread(SCHEMAS, token=TOKEN, schedule=schedule) as server:
        done = _interrupt_while_waiting(server)
        assert done.returncode == 130, done.stderr
        [job] = server.jobs()
        assert job["status"] == "in_progress" and job["cancel_requests"] == 1
        assert "not cancelled (not_cancellable)" in done.stderr


def test_ctrl_c_during_the_submit_names_and_cancels_the_job() -> None:
    """The submit is slow (the server sleeps before creating the job); Ctrl-C lands while it is
    in flight: the CLI waits for the answer, cancels the queued job and names it."""
    schedule = Schedule(queue_polls=10**9)
    faults = [parse_fault("POST /v1/models/*:slow=1500")]
    with serve_in_thread(SCHEMAS, token=TOKEN, schedule=schedule, faults=faults) as server:
        process = subprocess.Popen(
            _command(server, ALEPH, *_aleph_args(server)),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        # Bounded wait until the server holds the submit (the fault has seen it).
        for _ in range(1200):
            if server.faults.report()[0]["seen"] or process.poll() is not None:
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 130, err
        assert "Aborted!" not in err and "Traceback" not in err
        [job] = server.jobs()
        assert job["status"] == "cancelled"
        assert f"cancelled: {job['request_id']}" in err
        assert out == ""


def test_live_display_on_a_terminal(server: RunningServer) -> None:
    """On a terminal (a real pseudo-terminal here) progress is a redrawn live line."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec the CLI with the terminal as stdout and stderr
        os.chdir(ROOT)
        os.execve(sys.executable, [*_command(server, ALEPH, *_aleph_args(server))], _env())
    output = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = output.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "\x1b[" in text  # cursor control: the line is redrawn, not appended
    assert "completed" in text
    assert f"{server.base_url}/files/" in text


def test_urls_of_other_schemes_are_warned_and_never_saved(
    server: RunningServer, tmp_path: Path
) -> None:
    """The result holds a `file:` and an `ftp:` URL beside its video: stdout lists the video
    alone, a warning names each other URL, `--out` saves the video, fetches nothing else and
    exits 1, since the output was not saved whole (the URLs were once skipped without a word)."""
    real = server.state.jobs.make_output

    def output(job: Job) -> dict[str, Any]:
        return {**real(job), "images": ["file:///etc/passwd", "ftp://files.test/a.png"]}

    server.state.jobs.make_output = output
    out = tmp_path / "out"
    done = _run(server, ALEPH, *_aleph_args(server), "--out", str(out))
    assert done.returncode == 1, done.stderr
    [url] = done.stdout.splitlines()
    assert url.startswith(f"{server.base_url}/files/")
    lines = done.stderr.splitlines()
    for pointer, scheme in (("/images/0", "file"), ("/images/1", "ftp")):
        assert any(
            line.startswith("warning: ")
            and f": output{pointer}: " in line
            and f"is a URL of scheme {scheme}: (not http or https)" in line
            for line in lines
        ), lines
    [job] = server.jobs()
    assert [p.name for p in out.iterdir()] == [f"{job['request_id']}-0-output.mp4"]
    assert lines[-1] == "error: not saved (not an http(s) URL): output/images/0, output/images/1"
