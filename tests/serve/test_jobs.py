"""How jobs move through their stages, with a clock the test turns by hand."""

from __future__ import annotations

from typing import Any

import pytest

from generator.serve.jobs import Job, JobStore, Schedule


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _store(schedule: Schedule, clock: _Clock | None = None) -> JobStore:
    def output(job: Job) -> dict[str, Any]:
        return {"image": f"made-for-{job.request_id}"}

    return JobStore(schedule, output, clock=clock or _Clock())


def _statuses(store: JobStore, request_id: str, polls: int) -> list[str]:
    seen = []
    for _ in range(polls):
        view = store.observe(request_id)
        assert view is not None
        seen.append(view["status"])
    return seen


def test_poll_schedule_is_exact() -> None:
    store = _store(Schedule(queue_polls=2, progress_polls=1))
    job = store.create("a/b", {})
    assert _statuses(store, job.request_id, 5) == [
        "in_queue",
        "in_queue",
        "in_progress",
        "completed",
        "completed",
    ]
    assert job.output == {"image": f"made-for-{job.request_id}"}


def test_zero_polls_skip_a_stage() -> None:
    store = _store(Schedule(queue_polls=1, progress_polls=0))
    job = store.create("a/b", {})
    assert _statuses(store, job.request_id, 2) == ["in_queue", "completed"]


def test_time_schedule_with_queue_position_countdown() -> None:
    clock = _Clock()
    schedule = Schedule(
        queue_seconds=10,
        progress_seconds=5,
        queue_polls=0,
        progress_polls=0,
        queue_start_position=4,
    )
    store = _store(schedule, clock)
    job = store.create("a/b", {})
    seen = []
    for now in (100.0, 103.0, 107.0, 109.9, 110.0, 114.9, 115.0):
        clock.now = now
        view = store.observe(job.request_id)
        assert view is not None
        seen.append((view["status"], view.get("queue_position")))
    assert seen == [
        ("in_queue", 4),
        ("in_queue", 2),
        ("in_queue", 1),
        ("in_queue", 0),
        ("in_progress", None),
        ("in_progress", None),
        ("completed", None),
    ]


def test_a_late_poll_skips_straight_to_the_end() -> None:
    clock = _Clock()
    store = _store(
        Schedule(queue_seconds=1, progress_seconds=1, queue_polls=0, progress_polls=0), clock
    )
    job = store.create("a/b", {})
    clock.now += 2.5
    assert _statuses(store, job.request_id, 1) == ["completed"]


def test_failing_job_ends_failed_without_output() -> None:
    store = _store(Schedule(queue_polls=0, progress_polls=0))
    job = store.create("a/b", {}, will_fail=True, failure_message="out of VRAM")
    assert _statuses(store, job.request_id, 1) == ["failed"]
    assert job.output is None and job.failure_message == "out of VRAM"


def test_cancel_queued_then_running() -> None:
    store = _store(Schedule(queue_polls=1, progress_polls=5))
    queued = store.create("a/b", {})
    outcome, view = store.cancel(queued.request_id) or ("?", {})
    assert (outcome, view["request_id"], view["status"]) == (
        "cancelled",
        queued.request_id,
        "cancelled",
    )
    # A cancelled job never ran: it has timestamps, no machine.
    assert view["created_at"] <= view["finished_at"] and "instance_id" not in view
    assert _statuses(store, queued.request_id, 3) == ["cancelled"] * 3

    running = store.create("a/b", {})
    assert _statuses(store, running.request_id, 2) == ["in_queue", "in_progress"]
    outcome, view = store.cancel(running.request_id) or ("?", {})
    assert (outcome, view["status"]) == ("not_cancellable", "in_progress")
    assert running.cancel_requests == 1
    assert store.cancel("no-such-id") is None
    assert store.observe("no-such-id") is None


def test_counts_per_model() -> None:
    store = _store(Schedule())
    for model in ("a/b", "a/b", "c/d"):
        store.create(model, {})
    assert store.created_per_model() == {"a/b": 2, "c/d": 1}


def test_schedule_refuses_negative_values() -> None:
    with pytest.raises(ValueError):
        Schedule(queue_seconds=-1)
    with pytest.raises(ValueError):
        Schedule(progress_polls=-1)


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), -1.0])
@pytest.mark.parametrize("stage", ["queue_seconds", "progress_seconds"])
def test_schedule_seconds_must_be_finite_and_not_negative(stage: str, seconds: float) -> None:
    """`Schedule(queue_seconds=nan)` was accepted; every look at a job then raised ValueError."""
    with pytest.raises(ValueError, match="finite and not negative"):
        if stage == "queue_seconds":
            Schedule(queue_seconds=seconds)
        else:
            Schedule(progress_seconds=seconds)
