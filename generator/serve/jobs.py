"""Jobs and how they move: in_queue -> in_progress -> completed (or failed / cancelled).

A job does not run anywhere; its state is worked out whenever a client looks at it. Each stage
lasts until *both* its time has passed and it has been looked at (status or result polled) its
number of times. Polls make tests deterministic without sleeping ("the second poll sees
in_progress"); seconds make demos look real.
"""

from __future__ import annotations

import datetime
import math
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generator.runtime._protocol import CANCELLED, COMPLETED, FAILED, IN_PROGRESS, IN_QUEUE

__all__ = [
    "CANCELLED",
    "COMPLETED",
    "FAILED",
    "IN_PROGRESS",
    "IN_QUEUE",
    "Job",
    "JobStore",
    "Schedule",
]

_DONE = (COMPLETED, FAILED, CANCELLED)


def _iso(wall: float) -> str:
    """A wall-clock time as RunComfy writes it: ISO 8601, UTC, seconds."""
    moment = datetime.datetime.fromtimestamp(wall, tz=datetime.UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Schedule:
    queue_seconds: float = 0.0
    progress_seconds: float = 0.0
    #: How many status/result polls see ``in_queue`` (resp. ``in_progress``) at least.
    queue_polls: int = 1
    progress_polls: int = 1
    #: The ``queue_position`` a job shows when it enters the queue; it counts down to 0 over
    #: the queue time (or by one per poll when the queue stage has no time).
    queue_start_position: int = 0

    def __post_init__(self) -> None:
        seconds = (self.queue_seconds, self.progress_seconds)
        # NaN passes any comparison with 0 and made every look at the job an error.
        if not all(math.isfinite(s) and s >= 0 for s in seconds):
            raise ValueError("schedule seconds must be finite and not negative")
        if min(self.queue_polls, self.progress_polls, self.queue_start_position) < 0:
            raise ValueError("schedule polls and queue position must not be negative")


@dataclass
class Job:
    request_id: str
    model_id: str
    payload: dict[str, Any]
    #: ISO 8601 UTC wall-clock times, as the answers show them.
    created_at: str
    finished_at: str | None = None
    #: The machine running the job, from the time it leaves the queue.
    instance_id: str | None = None
    #: The server address the client used; result URLs are built on it.
    base_url: str = ""
    will_fail: bool = False
    #: What the job costs once completed (USD; its catalog price times what it makes).
    cost: float = 0.0
    failure_message: str = "the model run failed (injected fault)"
    stage: str = IN_QUEUE
    stage_started: float = 0.0
    stage_polls: int = 0
    #: Filled when the job completes: the result's ``output`` object.
    output: dict[str, Any] | None = None
    cancel_requests: int = 0

    @property
    def done(self) -> bool:
        return self.stage in _DONE


#: Called once when a job completes; returns its ``output`` object.
OutputMaker = Callable[[Job], dict[str, Any]]


@dataclass
class JobStore:
    schedule: Schedule
    make_output: OutputMaker
    clock: Callable[[], float] = time.monotonic
    _jobs: dict[str, Job] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def create(
        self,
        model_id: str,
        payload: dict[str, Any],
        *,
        base_url: str = "",
        will_fail: bool = False,
        failure_message: str | None = None,
        cost: float = 0.0,
    ) -> Job:
        now = self.clock()
        job = Job(
            request_id=str(uuid.uuid4()),
            model_id=model_id,
            payload=payload,
            created_at=_iso(time.time()),
            base_url=base_url,
            will_fail=will_fail,
            cost=cost,
            stage_started=now,
        )
        if failure_message:
            job.failure_message = failure_message
        with self._lock:
            self._jobs[job.request_id] = job
        return job

    def get(self, request_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(request_id)

    def observe(self, request_id: str) -> dict[str, Any] | None:
        """One status/result poll: advance the job, then describe it (None: unknown id)."""
        with self._lock:
            job = self._jobs.get(request_id)
            if job is None:
                return None
            self._advance(job)
            view = self._view(job)
            job.stage_polls += 1
            return view

    def cancel(self, request_id: str) -> tuple[str, dict[str, Any]] | None:
        """Cancel a queued job: ``("cancelled" | "not_cancellable", view)``; None if unknown."""
        with self._lock:
            job = self._jobs.get(request_id)
            if job is None:
                return None
            job.cancel_requests += 1
            self._advance(job)
            if job.stage == IN_QUEUE:
                self._enter(job, CANCELLED, self.clock())
                job.finished_at = _iso(time.time())
            outcome = CANCELLED if job.stage == CANCELLED else "not_cancellable"
            return outcome, self._view(job)

    def snapshot(self) -> list[dict[str, Any]]:
        """Every job as the admin endpoint lists it (without advancing any)."""
        with self._lock:
            return [
                {
                    "request_id": job.request_id,
                    "model_id": job.model_id,
                    "status": job.stage,
                    "payload": job.payload,
                    "will_fail": job.will_fail,
                    "cancel_requests": job.cancel_requests,
                }
                for job in self._jobs.values()
            ]

    def created_per_model(self) -> dict[str, int]:
        with self._lock:
            return dict(Counter(job.model_id for job in self._jobs.values()))

    def _stage_length(self, stage: str) -> tuple[float, int]:
        if stage == IN_QUEUE:
            return self.schedule.queue_seconds, self.schedule.queue_polls
        return self.schedule.progress_seconds, self.schedule.progress_polls

    def _advance(self, job: Job) -> None:
        now = self.clock()
        while job.stage in (IN_QUEUE, IN_PROGRESS):
            seconds, polls = self._stage_length(job.stage)
            if now - job.stage_started < seconds or job.stage_polls < polls:
                return
            # A stage that waits on polls ends now; one that waits on time alone ended when
            # its time was up (so a slow poller sees the right elapsed time in each stage).
            ended = now if polls else job.stage_started + seconds
            if job.stage == IN_QUEUE:
                self._enter(job, IN_PROGRESS, ended)
                job.instance_id = f"serve-{uuid.uuid4().hex[:12]}"
                continue
            if job.will_fail:
                self._enter(job, FAILED, ended)
            else:
                job.output = self.make_output(job)
                self._enter(job, COMPLETED, ended)
            job.finished_at = _iso(time.time() - (now - ended))

    @staticmethod
    def _enter(job: Job, stage: str, at: float) -> None:
        job.stage = stage
        job.stage_started = at
        job.stage_polls = 0

    def _queue_position(self, job: Job) -> int:
        """Counts down from ``queue_start_position`` over the queue time (or per poll)."""
        start = self.schedule.queue_start_position
        if self.schedule.queue_seconds > 0:
            left = 1 - (self.clock() - job.stage_started) / self.schedule.queue_seconds
            return max(0, math.floor(start * left))
        return max(0, start - job.stage_polls)

    def _view(self, job: Job) -> dict[str, Any]:
        view: dict[str, Any] = {
            "request_id": job.request_id,
            "status": job.stage,
            "created_at": job.created_at,
        }
        if job.stage == IN_QUEUE:
            view["queue_position"] = self._queue_position(job)
        if job.instance_id is not None:
            view["instance_id"] = job.instance_id
        if job.finished_at is not None:
            view["finished_at"] = job.finished_at
        return view
