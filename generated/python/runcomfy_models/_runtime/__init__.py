"""The runtime every generated model client builds on (transport, jobs, results, errors).

This is plain, type-checked Python: ``generate`` copies the package byte for byte into every
generated SDK as ``<package>._runtime``, so it imports nothing but the standard library, httpx,
pydantic, imagesize and itself (relative imports only). Everything in ``__all__`` is public:
the generated package re-exports it, and docs/client.md documents it. Importing it defines no
pydantic model (the bases of generated classes live in ``_input`` and ``_output``, imported by
model modules).
"""

from ._client import BASE_URL_ENV, TOKEN_ENV, AsyncClientBase, ClientBase
from ._endpoint import AsyncModelEndpoint, ModelEndpoint, WireInput, build_input
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    DeadlineExceededError,
    DownloadTooLargeError,
    InputRejectedError,
    InputValidationError,
    InsufficientBalanceError,
    JobCancelledError,
    JobError,
    JobFailedError,
    JobNotFinishedError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    RunComfyError,
    ServerError,
    SubmissionUncertainError,
)
from ._handle import AsyncRequestHandle, OnUpdate, RequestHandle
from ._models import CancelOutcome, Result, StatusUpdate
from ._policy import DEFAULT_TIMEOUT, PollPolicy, RetryPolicy
from ._protocol import JOB_STATUSES, TERMINAL_STATUSES, VALIDATIONS_KEYWORD, JobStatus
from ._transport import DEFAULT_BASE_URL, DEFAULT_MAX_CONNECTIONS
from ._types import NOT_GIVEN, FileInfo, Issue, NotGiven, given

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_TIMEOUT",
    "JOB_STATUSES",
    "NOT_GIVEN",
    "TERMINAL_STATUSES",
    "TOKEN_ENV",
    "VALIDATIONS_KEYWORD",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "AsyncClientBase",
    "AsyncModelEndpoint",
    "AsyncRequestHandle",
    "AuthenticationError",
    "CancelOutcome",
    "ClientBase",
    "ConfigurationError",
    "DeadlineExceededError",
    "DownloadTooLargeError",
    "FileInfo",
    "InputRejectedError",
    "InputValidationError",
    "InsufficientBalanceError",
    "Issue",
    "JobCancelledError",
    "JobError",
    "JobFailedError",
    "JobNotFinishedError",
    "JobStatus",
    "ModelEndpoint",
    "NotFoundError",
    "NotGiven",
    "OnUpdate",
    "PollPolicy",
    "ProtocolError",
    "RateLimitError",
    "RequestHandle",
    "Result",
    "RetryPolicy",
    "RunComfyError",
    "ServerError",
    "StatusUpdate",
    "SubmissionUncertainError",
    "WireInput",
    "build_input",
    "given",
]
