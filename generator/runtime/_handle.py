"""A submitted job: look at it, cancel it, wait for it under a deadline, fetch its result.

Waiting polls ``GET /v1/requests/{id}/result``, which answers the job's current status until
it is done and then the result itself (as RunComfy's partner nodes poll it): one request per
poll and none extra at the end. The schedule is :class:`PollPolicy`'s.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._errors import (
    APIConnectionError,
    ConfigurationError,
    DeadlineExceededError,
    JobCancelledError,
    JobFailedError,
    JobNotFinishedError,
    RateLimitError,
    RunComfyError,
    ServerError,
)
from ._models import CancelOutcome, Result, StatusUpdate, parse_output
from ._package import logger
from ._protocol import (
    CANCELLED,
    COMPLETED,
    FAILED,
    IN_QUEUE,
    INCLUDE_COST_PARAM,
    error_text,
    job_path,
)
from ._transport import AsyncTransport, SyncTransport

if TYPE_CHECKING:
    # Only a type bound here; the real import costs importing the package ~15 ms.
    from pydantic import BaseModel

__all__ = ["AsyncRequestHandle", "OnUpdate", "RequestHandle"]

OutputT = TypeVar("OutputT", bound="BaseModel")
#: Called with each new (status, queue_position) seen while waiting.
OnUpdate = Callable[[StatusUpdate], None]

#: How long the cancel sent on a missed deadline may take before it is given up.
_CANCEL_GRACE = 10.0
#: Errors that, once the deadline has passed, mean "out of time" rather than "broken".
_OUT_OF_TIME = (APIConnectionError, ServerError, RateLimitError)


def deadline_at(limit: float | None) -> float | None:
    """The monotonic time ``limit`` seconds from now (None: no deadline).

    NaN compares false with everything, so a NaN deadline would never pass: it is refused, as
    is infinity (None says "no deadline").
    """
    if limit is None:
        return None
    if not math.isfinite(limit):
        raise ConfigurationError(f"a deadline must be a finite number of seconds, got {limit!r}")
    return time.monotonic() + max(limit, 0.0)


class _HandleCore(Generic[OutputT]):
    """What both handles share: identity, deadline arithmetic, reading result bodies."""

    def __init__(
        self,
        transport: SyncTransport | AsyncTransport,
        request_id: str,
        output_type: type[OutputT],
        *,
        model_id: str | None = None,
    ) -> None:
        self.request_id = request_id
        self.model_id = model_id
        #: The latest status any call on this handle has seen (None before the first).
        self.last_update: StatusUpdate | None = None
        self._output_type = output_type
        self._settings = transport.settings

    def __repr__(self) -> str:
        return f"{type(self).__name__}(request_id={self.request_id!r}, model_id={self.model_id!r})"

    def _deadline(self, wait_timeout: float | None) -> float | None:
        return deadline_at(self._settings.wait_timeout if wait_timeout is None else wait_timeout)

    def _result_params(self, include_cost: bool | None) -> dict[str, str] | None:
        wanted = self._settings.include_cost if include_cost is None else include_cost
        return {INCLUDE_COST_PARAM: "true"} if wanted else None

    @staticmethod
    def _expired(deadline: float | None) -> bool:
        return deadline is not None and time.monotonic() >= deadline

    def _pause(self, poll: int, deadline: float | None) -> float:
        interval = self._settings.poll.interval(poll)
        if deadline is None:
            return interval
        return max(0.0, min(interval, deadline - time.monotonic()))

    def _should_cancel(self, last: StatusUpdate | None, cancel_on_timeout: bool | None) -> bool:
        wanted = (
            self._settings.cancel_on_timeout if cancel_on_timeout is None else cancel_on_timeout
        )
        # Unknown (no answer in time) is treated as queued: the server cancels only a job
        # that has not started, and answers "not_cancellable" for one that runs.
        return wanted and (last is None or last.status == IN_QUEUE)

    def _deadline_error(
        self, last: StatusUpdate | None, outcome: CancelOutcome | None
    ) -> DeadlineExceededError:
        status = last.status if last else None
        message = f"job still {status or 'unanswered'} at the deadline"
        if outcome is not None:
            message += f"; cancel: {outcome.outcome}"
        return DeadlineExceededError(
            message, request_id=self.request_id, last_status=status, cancel_outcome=outcome
        )

    def _look(self, body: dict[str, Any]) -> StatusUpdate:
        """The status in a status or result answer; a result answer without one is done."""
        if "status" not in body and "output" in body:
            body = {**body, "status": COMPLETED}
        self.last_update = StatusUpdate.from_body(body, self.request_id)
        return self.last_update

    def _outcome(
        self, update: StatusUpdate, body: dict[str, Any], transport: SyncTransport | AsyncTransport
    ) -> Result[OutputT]:
        """The Result of a finished job's result answer; raises for a job without one."""
        if update.status == COMPLETED:
            output, warnings = parse_output(self._output_type, body.get("output"))
            result = Result(
                self.request_id, output, transport=transport, raw=body, warnings=warnings
            )
            for warning in result.warnings:  # with the URLs it will not download
                logger.warning("%s: %s", self.request_id, warning)
            return result
        if update.status == FAILED:
            raise self._failure(body)
        if update.status == CANCELLED:
            raise JobCancelledError("the job was cancelled", request_id=self.request_id)
        raise JobNotFinishedError(
            f"the job is {update.status}, not finished",
            status=update.status,
            request_id=self.request_id,
        )

    def _failure(self, body: dict[str, Any]) -> JobFailedError:
        error = body.get("error")
        code: Any = body.get("error_code")
        if isinstance(error, dict):
            code = error.get("error_code") or error.get("code") or code
        text = error_text(body) or "no error given"
        return JobFailedError(
            f"the job failed: {text}",
            request_id=self.request_id,
            error=error if error is not None else text,
            error_code=code if isinstance(code, int | str) and not isinstance(code, bool) else None,
        )

    def _notify(
        self, update: StatusUpdate, last: StatusUpdate | None, on_update: OnUpdate | None
    ) -> None:
        if on_update is not None and update != last:
            on_update(update)


class RequestHandle(_HandleCore[OutputT]):
    """A job submitted through a sync client (or re-attached with ``endpoint.handle(id)``)."""

    def __init__(
        self,
        transport: SyncTransport,
        request_id: str,
        output_type: type[OutputT],
        *,
        model_id: str | None = None,
    ) -> None:
        super().__init__(transport, request_id, output_type, model_id=model_id)
        self._transport = transport

    def status(self, *, deadline: float | None = None) -> StatusUpdate:
        body = self._transport.request(
            "GET",
            job_path(self.request_id, "status"),
            idempotent=True,
            request_id=self.request_id,
            deadline=deadline,
        )
        return self._look(body)

    def _fetch(
        self, include_cost: bool | None, deadline: float | None
    ) -> tuple[StatusUpdate, dict[str, Any]]:
        body = self._transport.request(
            "GET",
            job_path(self.request_id, "result"),
            params=self._result_params(include_cost),
            idempotent=True,
            request_id=self.request_id,
            deadline=deadline,
        )
        return self._look(body), body

    def result(self, *, include_cost: bool | None = None) -> Result[OutputT]:
        """The finished job's result; raises JobFailedError / JobCancelledError /
        JobNotFinishedError when there is none (yet)."""
        update, body = self._fetch(include_cost, None)
        return self._outcome(update, body, self._transport)

    def cancel(self, *, deadline: float | None = None) -> CancelOutcome:
        """Ask the server to cancel; a queued job is removed, a running one runs on."""
        body = self._transport.request(
            "POST",
            job_path(self.request_id, "cancel"),
            idempotent=True,  # cancelling twice is harmless
            request_id=self.request_id,
            deadline=deadline,
        )
        return CancelOutcome.from_body(body, self.request_id)

    def wait(
        self,
        *,
        wait_timeout: float | None = None,
        on_update: OnUpdate | None = None,
        cancel_on_timeout: bool | None = None,
        include_cost: bool | None = None,
    ) -> Result[OutputT]:
        """Poll until the job finishes and return its result.

        ``wait_timeout`` is the overall deadline in seconds (None: the client's). On the
        deadline a still-queued job is cancelled (unless ``cancel_on_timeout`` is False, here
        or on the client) and DeadlineExceededError is raised.
        """
        return self._wait_until(
            self._deadline(wait_timeout),
            on_update=on_update,
            cancel_on_timeout=cancel_on_timeout,
            include_cost=include_cost,
            fresh=False,
        )

    def _wait_until(
        self,
        deadline: float | None,
        *,
        on_update: OnUpdate | None,
        cancel_on_timeout: bool | None,
        include_cost: bool | None,
        fresh: bool,
    ) -> Result[OutputT]:
        """Wait under an absolute ``deadline``; ``fresh``: the job was just submitted, so the
        first look waits one poll interval."""
        last: StatusUpdate | None = None
        poll = 0
        if fresh:
            self._transport.sleep(self._pause(poll, deadline))
            poll += 1
        while True:
            try:
                update, body = self._fetch(include_cost, deadline)
            except _OUT_OF_TIME as exc:
                if not self._expired(deadline):
                    raise
                raise self._on_deadline(self.last_update, cancel_on_timeout) from exc
            self._notify(update, last, on_update)
            last = update
            if update.is_terminal:
                return self._outcome(update, body, self._transport)
            if self._expired(deadline):
                raise self._on_deadline(update, cancel_on_timeout)
            self._transport.sleep(self._pause(poll, deadline))
            poll += 1

    def _on_deadline(
        self, last: StatusUpdate | None, cancel_on_timeout: bool | None
    ) -> DeadlineExceededError:
        outcome = None
        if self._should_cancel(last, cancel_on_timeout):
            try:
                outcome = self.cancel(deadline=deadline_at(_CANCEL_GRACE))
            except RunComfyError as exc:
                logger.warning("cancel of %s on the deadline failed: %s", self.request_id, exc)
        return self._deadline_error(last, outcome)


class AsyncRequestHandle(_HandleCore[OutputT]):
    """A job submitted through an async client; every method is a coroutine."""

    def __init__(
        self,
        transport: AsyncTransport,
        request_id: str,
        output_type: type[OutputT],
        *,
        model_id: str | None = None,
    ) -> None:
        super().__init__(transport, request_id, output_type, model_id=model_id)
        self._transport = transport

    async def status(self, *, deadline: float | None = None) -> StatusUpdate:
        body = await self._transport.request(
            "GET",
            job_path(self.request_id, "status"),
            idempotent=True,
            request_id=self.request_id,
            deadline=deadline,
        )
        return self._look(body)

    async def _fetch(
        self, include_cost: bool | None, deadline: float | None
    ) -> tuple[StatusUpdate, dict[str, Any]]:
        body = await self._transport.request(
            "GET",
            job_path(self.request_id, "result"),
            params=self._result_params(include_cost),
            idempotent=True,
            request_id=self.request_id,
            deadline=deadline,
        )
        return self._look(body), body

    async def result(self, *, include_cost: bool | None = None) -> Result[OutputT]:
        update, body = await self._fetch(include_cost, None)
        return self._outcome(update, body, self._transport)

    async def cancel(self, *, deadline: float | None = None) -> CancelOutcome:
        body = await self._transport.request(
            "POST",
            job_path(self.request_id, "cancel"),
            idempotent=True,
            request_id=self.request_id,
            deadline=deadline,
        )
        return CancelOutcome.from_body(body, self.request_id)

    async def wait(
        self,
        *,
        wait_timeout: float | None = None,
        on_update: OnUpdate | None = None,
        cancel_on_timeout: bool | None = None,
        include_cost: bool | None = None,
    ) -> Result[OutputT]:
        """Async twin of :meth:`RequestHandle.wait`."""
        return await self._wait_until(
            self._deadline(wait_timeout),
            on_update=on_update,
            cancel_on_timeout=cancel_on_timeout,
            include_cost=include_cost,
            fresh=False,
        )

    async def _wait_until(
        self,
        deadline: float | None,
        *,
        on_update: OnUpdate | None,
        cancel_on_timeout: bool | None,
        include_cost: bool | None,
        fresh: bool,
    ) -> Result[OutputT]:
        last: StatusUpdate | None = None
        poll = 0
        if fresh:
            await self._transport.sleep(self._pause(poll, deadline))
            poll += 1
        while True:
            try:
                update, body = await self._fetch(include_cost, deadline)
            except _OUT_OF_TIME as exc:
                if not self._expired(deadline):
                    raise
                raise await self._on_deadline(self.last_update, cancel_on_timeout) from exc
            self._notify(update, last, on_update)
            last = update
            if update.is_terminal:
                return self._outcome(update, body, self._transport)
            if self._expired(deadline):
                raise await self._on_deadline(update, cancel_on_timeout)
            await self._transport.sleep(self._pause(poll, deadline))
            poll += 1

    async def _on_deadline(
        self, last: StatusUpdate | None, cancel_on_timeout: bool | None
    ) -> DeadlineExceededError:
        outcome = None
        if self._should_cancel(last, cancel_on_timeout):
            try:
                outcome = await self.cancel(deadline=deadline_at(_CANCEL_GRACE))
            except RunComfyError as exc:
                logger.warning("cancel of %s on the deadline failed: %s", self.request_id, exc)
        return self._deadline_error(last, outcome)
