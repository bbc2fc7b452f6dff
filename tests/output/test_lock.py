"""One ``generate`` at a time per output folder: a second run waits for the first.

Two runs at once removed each other's staging folder (``write_tree`` cleans what a crashed run
left beside the output folder). The runs here are real processes: the lock is ``flock`` on the
output folder's parent, held by the test as another run would hold it.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WAITING = "waiting for another runcomfy-codegen generate on"


@contextmanager
def _held(folder: Path, mode: int) -> Iterator[None]:
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)


def _generate(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    command = "from generator._entry import main; main()"
    options = ["--schemas", str(ROOT / "schemas"), "--out", "out", "--cache-dir", "cache"]
    return subprocess.Popen(
        [sys.executable, "-c", command, "generate", *options, "-j", "1", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_second_generate_waits_for_the_first_then_runs(tmp_path: Path) -> None:
    with _held(tmp_path, fcntl.LOCK_EX):
        run = _generate(tmp_path)
        assert run.stderr is not None
        first_line = run.stderr.readline()  # printed before any work: it cannot get the lock
        assert first_line == f"{WAITING} out\n"
        assert not (tmp_path / "out").exists() and run.poll() is None
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert (tmp_path / "out" / "python" / "runcomfy_models" / "__init__.py").is_file()
    assert "files (" in out

    # --check only reads: it shares the lock with other readers, and waits for a writer.
    with _held(tmp_path, fcntl.LOCK_SH):
        check = _generate(tmp_path, "--check")
        out, err = check.communicate(timeout=300)
    assert (check.returncode, WAITING in err) == (0, False), err
    with _held(tmp_path, fcntl.LOCK_EX):
        check = _generate(tmp_path, "--check")
        assert check.stderr is not None
        assert check.stderr.readline() == f"{WAITING} out\n"
    out, err = check.communicate(timeout=300)
    assert check.returncode == 0 and "is up to date" in out, err


def _blocked_on_a_lock(pid: int) -> bool:
    """Whether process ``pid`` waits for a flock (Linux lists waiters as ``-> FLOCK``)."""
    with open("/proc/locks", encoding="ascii") as locks:
        return any("-> FLOCK" in line and f" {pid} " in line for line in locks)


def test_quiet_waits_without_a_word(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with _held(tmp_path, fcntl.LOCK_EX):
        run = _generate(tmp_path, "--check", "-q")
        for _ in range(3000):  # until the kernel lists it among the lock's waiters
            if _blocked_on_a_lock(run.pid):
                break
            assert run.poll() is None, "generate --check did not wait for the lock"
            time.sleep(0.01)
        else:
            raise AssertionError("generate --check never waited for the lock")
    _, err = run.communicate(timeout=300)
    assert WAITING not in err
    assert run.returncode == 1  # an empty output folder is out of date


def test_a_refused_run_creates_no_folder_for_its_lock(tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.json").write_text("{", encoding="utf-8")
    command = "from generator._entry import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", command, "generate", "--schemas", "bad", "--out", "new/a/gen"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 2 and done.stderr.startswith("error: "), done.stderr
    assert not (tmp_path / "new").exists()
