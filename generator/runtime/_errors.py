"""Typed errors of the RunComfy client.

Every error carries ``status_code`` (HTTP status, when an HTTP answer caused it), ``error_code``
(RunComfy's ``error_code``, when the server sent one) and ``request_id`` (the job, when known).
Messages never contain the API token: the transport redacts it from anything the server echoes.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._types import Issue

if TYPE_CHECKING:
    from ._models import CancelOutcome

__all__ = [
    "APIConnectionError",
    "APIError",
    "AuthenticationError",
    "DeadlineExceededError",
    "InputValidationError",
    "InsufficientBalanceError",
    "JobCancelledError",
    "JobFailedError",
    "JobNotFinishedError",
    "NotFoundError",
    "ProtocolError",
    "RateLimitError",
    "RunComfyError",
    "ServerError",
    "SubmissionUncertainError",
]


class RunComfyError(Exception):
    """Base of every error this client raises."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: int | str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error_code = error_code
        self.request_id = request_id

    def __str__(self) -> str:
        facts = [
            f"{name}={value}"
            for name, value in (
                ("status", self.status_code),
                ("error_code", self.error_code),
                ("request_id", self.request_id),
            )
            if value is not None
        ]
        return f"{self.message} ({', '.join(facts)})" if facts else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class APIError(RunComfyError):
    """The server answered with an error that has no more specific class.

    ``detail`` is the server's ``detail`` field (any JSON value), with the token redacted;
    ``retry_after`` the server's ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: int | str | None = None,
        request_id: str | None = None,
        detail: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, error_code=error_code, request_id=request_id
        )
        self.detail = detail
        self.retry_after = retry_after


class AuthenticationError(APIError):
    """The token is missing, wrong or not allowed (HTTP 401/403, error_code 400004)."""


class InsufficientBalanceError(APIError):
    """The account cannot pay for the job (HTTP 402, error_code 400002)."""


class NotFoundError(APIError):
    """Unknown request id or model (HTTP 404, error_code 404001 / 400001)."""


class RateLimitError(APIError):
    """Too many requests (HTTP 429), still refused after the configured retries."""


class ServerError(APIError):
    """The server failed (HTTP 5xx), still failing after the configured retries."""


class ProtocolError(APIError):
    """The server's answer is not what the RunComfy queue protocol documents."""


class InputValidationError(APIError):
    """The input breaks the model's schema.

    Raised before any request when local validation finds errors (``status_code`` is None), or
    when the server refuses the input (HTTP 400/422, its ``detail`` kept in ``detail`` and, when
    it is structured, turned into ``issues``).
    """

    def __init__(
        self,
        issues: Iterable[Issue],
        *,
        message: str | None = None,
        status_code: int | None = None,
        error_code: int | str | None = None,
        request_id: str | None = None,
        detail: Any = None,
        retry_after: float | None = None,
    ) -> None:
        self.issues = list(issues)
        if message is None:
            listed = "; ".join(str(i) for i in self.issues[:5])  # shift (149_shift): ...
            more = len(self.issues) - 5
            message = f"invalid input: {listed}" + (f" (and {more} more)" if more > 0 else "")
        super().__init__(
            message,
            status_code=status_code,
            error_code=error_code,
            request_id=request_id,
            detail=detail,
            retry_after=retry_after,
        )


class APIConnectionError(RunComfyError):
    """No usable answer reached the client (connection refused, timeout, dropped response)."""


class SubmissionUncertainError(APIConnectionError):
    """The submit request may or may not have created a job.

    The request left the client but no answer came back (read timeout, dropped connection).
    The client does not resend it: a second job would be billed twice. The job, if it exists,
    cannot be found from this side; check the RunComfy dashboard before submitting again.
    """


class JobFailedError(RunComfyError):
    """The job ran and failed; ``error`` is the job's error as the server reported it."""

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        error: Any = None,
        error_code: int | str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, error_code=error_code, request_id=request_id
        )
        self.error = error


class JobCancelledError(RunComfyError):
    """The job was cancelled before it produced a result."""


class JobNotFinishedError(RunComfyError):
    """``result()`` was asked for a job that is still queued or running; ``status`` says which."""

    def __init__(self, message: str, *, status: str, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.status = status


class DeadlineExceededError(RunComfyError, builtins.TimeoutError):
    """``wait()``/``run()`` reached its deadline before the job finished.

    ``last_status`` is the job's last known status; ``cancel_outcome`` is set when the client
    cancelled the still-queued job on the way out (see ``cancel_on_timeout``).
    """

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        last_status: str | None = None,
        cancel_outcome: CancelOutcome | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.last_status = last_status
        self.cancel_outcome = cancel_outcome
