"""The runtime every generated model client builds on (transport, jobs, results, errors).

This is plain, type-checked Python: ``generate`` copies the package byte for byte into every
generated SDK as ``<package>._runtime``, so it imports nothing but the standard library, httpx,
pydantic and itself (relative imports only). Importing it defines no pydantic model (the
bases of generated classes live in ``_input`` and ``_output``, imported by model modules).
"""

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
from ._protocol import VALIDATIONS_KEYWORD
from ._transport import DEFAULT_BASE_URL
from ._types import NOT_GIVEN, FileInfo, Issue, NotGiven, given

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "TOKEN_ENV",
    "VALIDATIONS_KEYWORD",
    "APIConnectionError",
    "APIError",
    "AsyncClientBase",
    "AsyncModelEndpoint",
    "AsyncRequestHandle",
    "AuthenticationError",
    "CancelOutcome",
    "ClientBase",
    "DeadlineExceededError",
    "FileInfo",
    "InputValidationError",
    "InsufficientBalanceError",
    "Issue",
    "JobCancelledError",
    "JobFailedError",
    "JobNotFinishedError",
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
