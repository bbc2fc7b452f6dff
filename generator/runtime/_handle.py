"""A submitted job: look at it, cancel it, wait for it under a deadline, fetch its result."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import pydantic
from pydantic import BaseModel

from ._errors import (
    APIConnectionError,
    DeadlineExceededError,
    JobCancelledError,
    JobFailedError,
    JobNotFinishedError,
    ProtocolError,
    RateLimitError,
    RunComfyError,
    ServerError,
)
from ._models import CancelOutcome, Result, StatusUpdate
from ._transport import AsyncTransport, SyncTransport, job_path

__all__ = ["AsyncRequestHandle", "OnUpdate", "RequestHandle"]

OutputT = TypeVar("OutputT", bound=BaseModel)
#: Called with each new (status, queue_position) seen while waiting.
OnUpdate = Callable[[StatusUpdate], None]

logger = logging.getLogger("runcomfy_models")
#: How long the cancel sent on a missed deadline may take before it is given up.
_CANCEL_GRACE = 10.0
#: Errors that, once the deadline has passed, mean "out of time" rather than "broken".
_OUT_OF_TIME = (APIConnectionError, ServerError, RateLimitError)


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

    def _deadline(self, timeout: float | None) -> float | None:
        limit = self._settings.wait_timeout if timeout is None else timeout
        return None if limit is None else time.monotonic() + max(limit, 0.0)

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
        return wanted and (last is None or last.status == "in_queue")

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

    def _result_from(
        self, body: dict[str, Any], transport: SyncTransport | AsyncTransport
    ) -> Result[OutputT]:
        status = body.get("status")
        if status == "completed" or (status is None and "output" in body):
            try:
                output = self._output_type.model_validate(body.get("output") or {})
            except pydantic.ValidationError as exc:
                raise ProtocolError(
                    f"the result's output does not match {self._output_type.__name__}: {exc}",
                    request_id=self.request_id,
                ) from None
            return Result(self.request_id, output, transport=transport, raw=body)
        if status == "failed":
            raise self._failure(body)
        if status == "cancelled":
            raise JobCancelledError("the job was cancelled", request_id=self.request_id)
        raise JobNotFinishedError(
            f"the job is {status}, not finished", status=str(status), request_id=self.request_id
        )

    def _failure(self, body: dict[str, Any]) -> JobFailedError:
        error = self._settings.token.redact(body.get("error"))
        code: Any = None
        if isinstance(error, dict):
            code = error.get("error_code") or error.get("code")
            text = error.get("message") or error.get("detail") or error
        else:
            text = error or "no error given"
        return JobFailedError(
            f"the job failed: {text}",
            request_id=self.request_id,
            error=error,
            error_code=code if isinstance(code, int | str) else None,
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
        self.last_update = StatusUpdate.from_body(body, self.request_id)
        return self.last_update

    def result(self) -> Result[OutputT]:
        """The finished job's result; raises JobFailedError / JobCancelledError /
        JobNotFinishedError when there is none (yet)."""
        body = self._transport.request(
            "GET", job_path(self.request_id, "result"), idempotent=True, request_id=self.request_id
        )
        return self._result_from(body, self._transport)

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
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
        cancel_on_timeout: bool | None = None,
    ) -> Result[OutputT]:
        """Poll until the job finishes and return its result.

        ``timeout`` is the overall deadline in seconds (None: the client's ``wait_timeout``).
        On the deadline a still-queued job is cancelled (unless ``cancel_on_timeout`` is False,
        here or on the client) and DeadlineExceededError is raised.
        """
        deadline = self._deadline(timeout)
        last: StatusUpdate | None = None
        poll = 0
        while True:
            try:
                update = self.status(deadline=deadline)
            except _OUT_OF_TIME as exc:
                if not self._expired(deadline):
                    raise
                raise self._on_deadline(self.last_update, cancel_on_timeout) from exc
            self._notify(update, last, on_update)
            last = update
            if update.is_terminal:
                return self._finish(update)
            if self._expired(deadline):
                raise self._on_deadline(self.last_update, cancel_on_timeout)
            self._transport.sleep(self._pause(poll, deadline))
            poll += 1

    def _finish(self, update: StatusUpdate) -> Result[OutputT]:
        if update.status == "cancelled":
            raise JobCancelledError("the job was cancelled", request_id=self.request_id)
        return self.result()  # a failed job raises JobFailedError with its error here

    def _on_deadline(
        self, last: StatusUpdate | None, cancel_on_timeout: bool | None
    ) -> DeadlineExceededError:
        outcome = None
        if self._should_cancel(last, cancel_on_timeout):
            try:
                outcome = self.cancel(deadline=time.monotonic() + _CANCEL_GRACE)
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
        self.last_update = StatusUpdate.from_body(body, self.request_id)
        return self.last_update

    async def result(self) -> Result[OutputT]:
        body = await self._transport.request(
            "GET", job_path(self.request_id, "result"), idempotent=True, request_id=self.request_id
        )
        return self._result_from(body, self._transport)

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
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
        cancel_on_timeout: bool | None = None,
    ) -> Result[OutputT]:
        """Async twin of :meth:`RequestHandle.wait`."""
        deadline = self._deadline(timeout)
        last: StatusUpdate | None = None
        poll = 0
        while True:
            try:
                update = await self.status(deadline=deadline)
            except _OUT_OF_TIME as exc:
                if not self._expired(deadline):
                    raise
                raise await self._on_deadline(self.last_update, cancel_on_timeout) from exc
            self._notify(update, last, on_update)
            last = update
            if update.is_terminal:
                return await self._finish(update)
            if self._expired(deadline):
                raise await self._on_deadline(self.last_update, cancel_on_timeout)
            await self._transport.sleep(self._pause(poll, deadline))
            poll += 1

    async def _finish(self, update: StatusUpdate) -> Result[OutputT]:
        if update.status == "cancelled":
            raise JobCancelledError("the job was cancelled", request_id=self.request_id)
        return await self.result()

    async def _on_deadline(
        self, last: StatusUpdate | None, cancel_on_timeout: bool | None
    ) -> DeadlineExceededError:
        outcome = None
        if self._should_cancel(last, cancel_on_timeout):
            try:
                outcome = await self.cancel(deadline=time.monotonic() + _CANCEL_GRACE)
            except RunComfyError as exc:
                logger.warning("cancel of %s on the deadline failed: %s", self.request_id, exc)
        return self._deadline_error(last, outcome)
