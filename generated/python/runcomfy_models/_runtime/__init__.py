"""The runtime every generated model client builds on (transport, jobs, results, errors)."""

from ._client import BASE_URL_ENV, TOKEN_ENV, AsyncClientBase, ClientBase
from ._endpoint import AsyncModelEndpoint, ModelEndpoint, WireInput, build_input
from ._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    DeadlineExceededError,
    InputValidationError,
    InsufficientBalanceError,
    JobCancelledError,
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
from ._transport import DEFAULT_BASE_URL

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "TOKEN_ENV",
    "APIConnectionError",
    "APIError",
    "AsyncClientBase",
    "AsyncModelEndpoint",
    "AsyncRequestHandle",
    "AuthenticationError",
    "CancelOutcome",
    "ClientBase",
    "DeadlineExceededError",
    "InputValidationError",
    "InsufficientBalanceError",
    "JobCancelledError",
    "JobFailedError",
    "JobNotFinishedError",
    "ModelEndpoint",
    "NotFoundError",
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
]
