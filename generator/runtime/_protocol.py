"""The RunComfy queue protocol in one place: paths, statuses, error codes, answer reading.

``serve`` (the local RunComfy server) imports its constants from here too, so the client and
the server it is tested against cannot drift apart. The spellings accepted here are those of
RunComfy's own clients (runcomfy-cli, runcomfy-mcp, the ComfyUI partner nodes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, get_args
from urllib.parse import quote, urlsplit

from ._errors import (
    APIError,
    APIStatusError,
    AuthenticationError,
    InputRejectedError,
    InsufficientBalanceError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from ._types import Issue
from ._validation import pointer_token

__all__ = [
    "API_VERSION",
    "CANCELLED",
    "COMPLETED",
    "ERROR_TEXT_KEYS",
    "FAILED",
    "INCLUDE_COST_PARAM",
    "IN_PROGRESS",
    "IN_QUEUE",
    "JOB_ACTIONS",
    "JOB_STATUSES",
    "MODELS_PATH",
    "REQUESTS_PATH",
    "TERMINAL_STATUSES",
    "VALIDATIONS_KEYWORD",
    "ErrorCode",
    "JobStatus",
    "Secret",
    "api_root",
    "carries_error",
    "effective_status",
    "error_from_body",
    "error_text",
    "issues_from_detail",
    "job_path",
    "model_path",
    "normalize_status",
]

#: The extension keyword that carries parsed file rules in normalized schemas (the generator
#: writes it, the validator reads it). Its meta-schema is
#: ``generator/schema/vocabulary/validations.schema.json``.
VALIDATIONS_KEYWORD = "x-runcomfy-validations"

#: A job's status as this client reports it (other spellings are mapped onto these).
JobStatus = Literal["in_queue", "in_progress", "completed", "failed", "cancelled"]
IN_QUEUE: Final = "in_queue"
IN_PROGRESS: Final = "in_progress"
COMPLETED: Final = "completed"
FAILED: Final = "failed"
CANCELLED: Final = "cancelled"
JOB_STATUSES: Final[frozenset[str]] = frozenset(get_args(JobStatus))
TERMINAL_STATUSES: Final[frozenset[str]] = frozenset({COMPLETED, FAILED, CANCELLED})

#: Spellings RunComfy's own clients accept for our statuses (the CLI: ``succeeded``,
#: ``canceled``; the partner nodes: ``pending``, ``waiting``, ``starting``, ``processing``).
_STATUS_ALIASES: Final[Mapping[str, JobStatus]] = {
    "succeeded": COMPLETED,
    "success": COMPLETED,
    "canceled": CANCELLED,
    "pending": IN_QUEUE,
    "queued": IN_QUEUE,
    "waiting": IN_QUEUE,
    "starting": IN_PROGRESS,
    "processing": IN_PROGRESS,
    "running": IN_PROGRESS,
}

#: Where an error's text may be, in the order RunComfy's MCP client reads them.
ERROR_TEXT_KEYS: Final = ("error_message", "message", "error", "detail")

#: ``GET /v1/requests/{id}/result?include_cost=true`` adds the job's ``cost``.
INCLUDE_COST_PARAM: Final = "include_cost"


class ErrorCode:
    """RunComfy's ``error_code`` values: the HTTP status and three digits."""

    BAD_REQUEST: Final = 400000
    UNKNOWN_MODEL: Final = 400001
    INSUFFICIENT_BALANCE: Final = 400002
    UNAUTHORIZED: Final = 400004
    NOT_FOUND: Final = 404001
    PAYLOAD_TOO_LARGE: Final = 413001
    INVALID_INPUT: Final = 422001
    INTERNAL: Final = 500001


_AUTH_CODES = frozenset({str(ErrorCode.UNAUTHORIZED)})
_BALANCE_CODES = frozenset({str(ErrorCode.INSUFFICIENT_BALANCE)})
_NOT_FOUND_CODES = frozenset({str(ErrorCode.NOT_FOUND), str(ErrorCode.UNKNOWN_MODEL)})
_REDACTED = "***"


#: The version segment every API path starts with.
API_VERSION: Final = "/v1"
#: The queue API's two families of paths: models (submit) and requests (one job).
MODELS_PATH: Final = API_VERSION + "/models/"
REQUESTS_PATH: Final = API_VERSION + "/requests/"
#: What one job's path can end in.
JOB_ACTIONS: Final = ("status", "result", "cancel")


def api_root(base_url: str) -> str:
    """``base_url`` without a trailing ``/`` or a final ``/v1`` path segment: RunComfy's CLI
    writes its base with the version (https://model-api.runcomfy.net/v1), and every path here
    starts with it (a host named ``v1`` is left alone)."""
    base = base_url.rstrip("/")
    return base.removesuffix(API_VERSION) if urlsplit(base).path.endswith(API_VERSION) else base


def model_path(model_id: str) -> str:
    """``POST`` here submits a job of ``model_id``."""
    return MODELS_PATH + quote(model_id, safe="/")


def job_path(request_id: str, action: str) -> str:
    """``status``, ``result`` (GET) or ``cancel`` (POST) of one job."""
    # The id comes from the server; quoting it keeps it one path segment whatever it holds.
    return f"{REQUESTS_PATH}{quote(request_id, safe='')}/{action}"


def normalize_status(raw: Any) -> JobStatus | None:
    """Our name for a status the server sent (any accepted spelling), None if unknown."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower()
    if text in JOB_STATUSES:
        return text  # type: ignore[return-value]  # checked against the Literal's values
    return _STATUS_ALIASES.get(text)


def carries_error(body: Mapping[str, Any]) -> bool:
    """RunComfy sometimes answers HTTP 200 with an error body; a job's own body is never one."""
    code = body.get("error_code")
    return code not in (None, "") and normalize_status(body.get("status")) is None


def error_text(body: Any) -> str | None:
    """The server's error text: the first of ``error_message``, ``message``, ``error``,
    ``detail`` that is text (looking inside an ``error`` object too)."""
    if isinstance(body, str):
        return body or None
    if not isinstance(body, Mapping):
        return None
    for key in ERROR_TEXT_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
        if key == "error" and isinstance(value, Mapping):
            nested = error_text(value)
            if nested:
                return nested
    return None


#: A token shorter than this is not scrubbed from answers and messages. Such tokens are test
#: tokens (``serve --token t``): they cannot be told from ordinary text, and replacing every
#: ``t`` would destroy each answer (``request_id`` -> ``reques***_id``). RunComfy's API tokens
#: are far longer; ``repr``/``str`` of a :class:`Secret` never show any token.
MIN_REDACTED_CHARS = 8


class Secret:
    """A string that never shows itself in ``repr``/``str``; ``redact`` scrubs it from text
    (when it has at least :data:`MIN_REDACTED_CHARS` characters)."""

    __slots__ = ("_hidden", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        self._hidden = value if len(value) >= MIN_REDACTED_CHARS else ""

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")

    def redact(self, value: Any) -> Any:
        """``value`` (any JSON value) with every occurrence of the secret replaced.

        Redact *before* cutting text short: a cut can leave most of the secret behind.
        """
        if not self._hidden:
            return value
        if isinstance(value, str):
            return value.replace(self._hidden, _REDACTED)
        if isinstance(value, Mapping):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact(v) for v in value]
        return value

    def shorten(self, text: str, limit: int = 200) -> str:
        """``text`` redacted, then cut to ``limit`` characters."""
        return text.replace(self._hidden, _REDACTED)[:limit] if self._hidden else text[:limit]


def issues_from_detail(detail: Any, fallback: str) -> list[Issue]:
    """The server's validation ``detail`` as Issues, whatever shape it takes.

    Understood shapes: a list of ``{loc|pointer|field, msg|message}`` objects, an object mapping
    field names to messages, or a plain string. Anything else becomes one Issue at the root.
    """
    if isinstance(detail, list) and detail:
        return [_issue_from_item(item) for item in detail]
    if isinstance(detail, Mapping) and detail:
        errors = detail.get("errors")
        if isinstance(errors, list) and errors:
            return [_issue_from_item(item) for item in errors]
        return [
            Issue(pointer="/" + pointer_token(str(k)), message=str(v)) for k, v in detail.items()
        ]
    if isinstance(detail, str) and detail:
        return [Issue(pointer="", message=detail)]
    return [Issue(pointer="", message=fallback)]


def _issue_from_item(item: Any) -> Issue:
    if not isinstance(item, Mapping):
        return Issue(pointer="", message=str(item))
    message = str(item.get("message") or item.get("msg") or item)
    rule = item.get("rule") or item.get("type")
    pointer = item.get("pointer")
    if not isinstance(pointer, str):
        loc = item.get("loc") or item.get("field") or item.get("path")
        if isinstance(loc, str):
            loc = [loc]
        parts = [str(p) for p in loc] if isinstance(loc, list) else []
        if parts and parts[0] == "body":  # FastAPI-style locations start at the request body
            parts = parts[1:]
        pointer = "".join("/" + pointer_token(p) for p in parts)
    return Issue(pointer=pointer, message=message, rule=str(rule) if rule else None)


def _code_text(error_code: Any) -> str | None:
    return None if error_code is None else str(error_code)


def effective_status(status_code: int, error_code: int | str | None) -> int:
    """The HTTP status an error stands for.

    RunComfy's error codes are the HTTP status and three digits (``422001``, ``500001``); when
    an error arrives inside an HTTP 2xx answer, the code's status is the one that counts.
    """
    code = _code_text(error_code)
    if 200 <= status_code < 300 and code is not None and len(code) == 6 and code.isdigit():
        hinted = int(code[:3])
        if 400 <= hinted <= 599:
            return hinted
    return status_code


def error_from_body(
    status_code: int,
    body: Any,
    *,
    reason: str,
    request_id: str | None,
    retry_after: float | None,
    secret: Secret,
) -> APIError:
    """The typed error for an error answer (any status; RunComfy also sends 200 + error_code).

    ``body`` is redacted here, so nothing the server echoes reaches a message unscrubbed.
    """
    body = secret.redact(body) if isinstance(body, Mapping) else {}
    raw_code = body.get("error_code")
    error_code: int | str | None = (
        raw_code if isinstance(raw_code, int | str) and not isinstance(raw_code, bool) else None
    )
    code = _code_text(error_code)
    detail = body.get("detail")
    message = error_text(body) or secret.redact(reason) or f"HTTP {status_code}"
    if request_id is None and isinstance(body.get("request_id"), str):
        request_id = body["request_id"]
    facts: dict[str, Any] = {
        "status_code": status_code,
        "error_code": error_code,
        "request_id": request_id,
        "detail": detail,
        "retry_after": retry_after,
    }
    status = effective_status(status_code, error_code)
    if code in _AUTH_CODES or status in (401, 403):
        return AuthenticationError(message, **facts)
    if code in _BALANCE_CODES or status == 402:
        return InsufficientBalanceError(message, **facts)
    if code in _NOT_FOUND_CODES or status == 404:
        return NotFoundError(message, **facts)
    if status in (400, 422):
        return InputRejectedError(issues_from_detail(detail, message), message=message, **facts)
    if status == 429:
        return RateLimitError(message, **facts)
    if status >= 500:
        return ServerError(message, **facts)
    return APIStatusError(message, **facts)
