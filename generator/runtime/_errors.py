"""Typed errors of the RunComfy client, layered like the Stainless SDKs (openai, anthropic).

::

    RunComfyError                      every error this client raises
    ├── ConfigurationError             no token, a malformed token, a bad base URL (also ValueError)
    ├── InputValidationError           the input breaks the model's documented contract (local)
    ├── APIError                       talking to the API went wrong
    │   ├── APIConnectionError         no usable answer (refused, timed out, dropped)
    │   │   └── SubmissionUncertainError   a submit got no answer: the job may exist
    │   ├── ProtocolError              an answer that is not what the protocol documents
    │   ├── DownloadTooLargeError      an output file over ``max_download_bytes``
    │   └── APIStatusError             the server answered with an error
    │       ├── AuthenticationError, InsufficientBalanceError, NotFoundError,
    │       ├── RateLimitError, ServerError
    │       └── InputRejectedError     the server refused the input (also InputValidationError)
    └── JobError                       the job itself did not give a result
        ├── JobFailedError, JobCancelledError, JobNotFinishedError
        └── DeadlineExceededError      ``wait_timeout`` passed (also TimeoutError)

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
    "APIStatusError",
    "AuthenticationError",
    "ConfigurationError",
    "DeadlineExceededError",
    "DownloadTooLargeError",
    "InputRejectedError",
    "InputValidationError",
    "InsufficientBalanceError",
    "JobCancelledError",
    "JobError",
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


class ConfigurationError(RunComfyError, ValueError):
    """The client cannot be made as asked: no token, a malformed token, a bad base URL."""


def _issues_message(issues: list[Issue]) -> str:
    listed = "; ".join(str(i) for i in issues[:5])  # shift (149_shift): must be <= 15
    more = len(issues) - 5
    return f"invalid input: {listed}" + (f" (and {more} more)" if more > 0 else "")


class InputValidationError(RunComfyError):
    """The input breaks the model's documented contract; ``issues`` lists every problem.

    Raised before any request by local validation (``status_code`` is None). The server's own
    refusal is an :class:`InputRejectedError`, which is an InputValidationError too, so one
    ``except InputValidationError`` covers both.
    """

    def __init__(
        self,
        issues: Iterable[Issue],
        *,
        message: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.issues = list(issues)
        super().__init__(message or _issues_message(self.issues), request_id=request_id)


class APIError(RunComfyError):
    """Talking to the API went wrong.

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
        # Not super(): InputRejectedError puts InputValidationError next in the MRO.
        RunComfyError.__init__(
            self, message, status_code=status_code, error_code=error_code, request_id=request_id
        )
        self.detail = detail
        self.retry_after = retry_after


class APIConnectionError(APIError):
    """No usable answer reached the client (connection refused, timeout, dropped response)."""


class SubmissionUncertainError(APIConnectionError):
    """The submit request may or may not have created a job.

    The request left the client but no answer came back (read timeout, dropped connection).
    The client does not resend it: a second job would be billed twice. The job, if it exists,
    cannot be found from this side; check the RunComfy dashboard before submitting again.
    """


class DownloadTooLargeError(APIError):
    """An output file is larger than ``max_download_bytes`` (``save()`` wrote nothing)."""


class ProtocolError(APIError):
    """The server's answer is not what the RunComfy queue protocol documents."""


class APIStatusError(APIError):
    """The server answered with an error (an HTTP error status, or 200 with ``error_code``)."""


class AuthenticationError(APIStatusError):
    """The token is wrong or not allowed (HTTP 401/403, error_code 400004)."""


class InsufficientBalanceError(APIStatusError):
    """The account cannot pay for the job (HTTP 402, error_code 400002)."""


class NotFoundError(APIStatusError):
    """Unknown request id or model (HTTP 404, error_code 404001 / 400001)."""


class RateLimitError(APIStatusError):
    """Too many requests (HTTP 429), still refused after the configured retries."""


class ServerError(APIStatusError):
    """The server failed (HTTP 5xx), still failing after the configured retries."""


class InputRejectedError(APIStatusError, InputValidationError):
    """The server refused the input (HTTP 400/422); its ``detail`` is kept in ``detail`` and,
    when it is structured, turned into ``issues``."""

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
        APIStatusError.__init__(
            self,
            message or _issues_message(self.issues),
            status_code=status_code,
            error_code=error_code,
            request_id=request_id,
            detail=detail,
            retry_after=retry_after,
        )


class JobError(RunComfyError):
    """The job was accepted but gave no result."""


class JobFailedError(JobError):
    """The job ran and failed; ``error`` is the job's error as the server reported it, and
    the message quotes its text (``error_message``, ``message``, ``error`` or ``detail``)."""

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


class JobCancelledError(JobError):
    """The job was cancelled before it produced a result."""


class JobNotFinishedError(JobError):
    """``result()`` was asked for a job that is still queued or running; ``status`` says which."""

    def __init__(self, message: str, *, status: str, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.status = status


class DeadlineExceededError(JobError, builtins.TimeoutError):
    """``wait()``/``run()`` reached ``wait_timeout`` before the job finished.

    ``request_id`` is None when the deadline passed before a job was created. ``last_status``
    is the job's last known status; ``cancel_outcome`` is set when the client cancelled the
    still-queued job on the way out (see ``cancel_on_timeout``).
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
