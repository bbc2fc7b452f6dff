"""Reading RunComfy's answers: error bodies to typed errors, the token kept out of all of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import (
    APIError,
    AuthenticationError,
    InputValidationError,
    InsufficientBalanceError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from ._types import Issue
from ._validation import pointer_token

__all__ = [
    "JOB_STATUSES",
    "VALIDATIONS_KEYWORD",
    "Secret",
    "effective_status",
    "error_from_body",
    "issues_from_detail",
]

#: The extension keyword that carries parsed file rules in normalized schemas (the generator
#: writes it, the validator reads it). Its meta-schema is
#: ``generator/schema/vocabulary/validations.schema.json``.
VALIDATIONS_KEYWORD = "x-runcomfy-validations"

#: The statuses of the queue protocol; a 2xx body with one of them is a job, not an error.
JOB_STATUSES = frozenset({"in_queue", "in_progress", "completed", "failed", "cancelled"})

_AUTH_CODES = frozenset({"400004"})
_BALANCE_CODES = frozenset({"400002"})
_NOT_FOUND_CODES = frozenset({"404001", "400001"})  # unknown request id, unknown model
_REDACTED = "***"


class Secret:
    """A string that never shows itself in ``repr``/``str``; ``redact`` scrubs it from text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")

    def redact(self, value: Any) -> Any:
        """``value`` (any JSON value) with every occurrence of the secret replaced."""
        if not self._value:
            return value
        if isinstance(value, str):
            return value.replace(self._value, _REDACTED)
        if isinstance(value, Mapping):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact(v) for v in value]
        return value


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
    """The typed error for an error answer (any status; RunComfy also sends 200 + error_code)."""
    body = secret.redact(body) if isinstance(body, Mapping) else {}
    raw_code = body.get("error_code")
    error_code: int | str | None = raw_code if isinstance(raw_code, int | str) else None
    code = _code_text(error_code)
    detail = body.get("detail")
    message = body.get("message") or body.get("error") or reason or f"HTTP {status_code}"
    if not isinstance(message, str):
        message = str(message)
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
        return InputValidationError(issues_from_detail(detail, message), message=message, **facts)
    if status == 429:
        return RateLimitError(message, **facts)
    if status >= 500:
        return ServerError(message, **facts)
    return APIError(message, **facts)
