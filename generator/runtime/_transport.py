"""HTTP to the RunComfy API: authentication, timeouts, retries, error mapping, downloads.

``SyncTransport`` and ``AsyncTransport`` share every decision (``_TransportCore``); they differ
only in how they wait and send. The token lives in a :class:`Secret` and reaches the wire
through an ``httpx.Auth`` object, so it is never in a local variable, a log line or a message.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ._errors import APIConnectionError, APIError, ProtocolError, SubmissionUncertainError
from ._policy import (
    DEFAULT_TIMEOUT,
    PollPolicy,
    RetryPolicy,
    is_retryable_status,
    is_retryable_transport_error,
    parse_retry_after,
)
from ._protocol import JOB_STATUSES, Secret, effective_status, error_from_body

__all__ = [
    "DEFAULT_BASE_URL",
    "AsyncTransport",
    "Settings",
    "SyncTransport",
    "job_path",
    "model_path",
]

DEFAULT_BASE_URL = "https://model-api.runcomfy.net"
#: Every request and retry is logged here at DEBUG/INFO; URLs and statuses only, never headers.
logger = logging.getLogger("runcomfy_models")
_MIN_TIMEOUT = 0.001  # httpx treats 0 as "no wait at all"; a deadline just reached gets this


def model_path(model_id: str) -> str:
    return "/v1/models/" + quote(model_id, safe="/")


def job_path(request_id: str, action: str) -> str:
    # The id comes from the server; quoting it keeps it one path segment whatever it holds.
    return f"/v1/requests/{quote(request_id, safe='')}/{action}"


@dataclass(frozen=True)
class Settings:
    """Everything a transport needs, fixed when the client is made."""

    base_url: str
    token: Secret
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll: PollPolicy = field(default_factory=PollPolicy)
    #: Default overall deadline of ``wait()``/``run()`` in seconds; None waits for ever.
    wait_timeout: float | None = 1800.0
    #: On the deadline, cancel the job if it is still queued (it has cost nothing yet).
    cancel_on_timeout: bool = True


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _carries_error(body: dict[str, Any]) -> bool:
    """RunComfy sometimes answers 200 with an error body; a job body is never one."""
    code = body.get("error_code")
    return code not in (None, "") and body.get("status") not in JOB_STATUSES


def _part_file(destination: Path) -> Path:
    return destination.with_name(destination.name + ".part")


class _BearerAuth(httpx.Auth):
    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + self._token.reveal()
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(***)"


class _TransportCore:
    """The decisions both transports share: URLs, timeouts, retry or raise, answer to error."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._auth = _BearerAuth(settings.token)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.settings.base_url!r})"

    def _url(self, path: str) -> str:
        return self.settings.base_url.rstrip("/") + path

    def _timeout(self, deadline: float | None) -> httpx.Timeout:
        """The configured timeouts, none of them longer than the time left to ``deadline``."""
        configured = self.settings.timeout
        if deadline is None:
            return configured
        left = max(deadline - time.monotonic(), _MIN_TIMEOUT)

        def clamp(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=clamp(configured.connect),
            read=clamp(configured.read),
            write=clamp(configured.write),
            pool=clamp(configured.pool),
        )

    def _fits(self, delay: float, deadline: float | None) -> bool:
        return deadline is None or time.monotonic() + delay < deadline

    def _retry_after_error(
        self, error: APIError, attempt: int, idempotent: bool, deadline: float | None
    ) -> float | None:
        """Seconds to wait before resending, or None to raise ``error``."""
        if attempt >= self.settings.retry.max_retries or error.status_code is None:
            return None
        status = effective_status(error.status_code, error.error_code)
        if not is_retryable_status(status, idempotent=idempotent):
            return None
        delay = self.settings.retry.delay(attempt, error.retry_after)
        return delay if self._fits(delay, deadline) else None

    def _retry_after_exception(
        self, exc: httpx.TransportError, attempt: int, idempotent: bool, deadline: float | None
    ) -> float | None:
        if attempt >= self.settings.retry.max_retries:
            return None
        if not is_retryable_transport_error(exc, idempotent=idempotent):
            return None
        delay = self.settings.retry.delay(attempt)
        return delay if self._fits(delay, deadline) else None

    def _connection_error(
        self,
        exc: httpx.TransportError,
        *,
        method: str,
        path: str,
        idempotent: bool,
        request_id: str | None,
    ) -> APIConnectionError:
        what = f"{type(exc).__name__}: {self.settings.token.redact(str(exc)) or 'no detail'}"
        if not idempotent and not is_retryable_transport_error(exc, idempotent=False):
            return SubmissionUncertainError(
                f"{method} {path} got no answer ({what}); the job may or may not have been "
                "created, so it was not resent",
                request_id=request_id,
            )
        return APIConnectionError(f"{method} {path} failed ({what})", request_id=request_id)

    def _read_answer(self, response: httpx.Response, request_id: str | None) -> dict[str, Any]:
        """The JSON object of a successful answer; raises the typed error of any other."""
        body = _json_or_none(response)
        if response.is_success and isinstance(body, dict) and not _carries_error(body):
            return body
        raise self._answer_error(response, body, request_id)

    def _answer_error(
        self, response: httpx.Response, body: Any, request_id: str | None
    ) -> APIError:
        hint = request_id or response.headers.get("x-request-id")
        if response.is_success and not isinstance(body, dict):
            text = self.settings.token.redact(response.text[:200])
            return ProtocolError(
                f"expected a JSON object, got: {text!r}",
                status_code=response.status_code,
                request_id=hint,
            )
        if not isinstance(body, dict):
            body = {"message": self.settings.token.redact(response.text[:200]) or None}
        return error_from_body(
            response.status_code,
            body,
            reason=response.reason_phrase,
            request_id=hint,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            secret=self.settings.token,
        )

    @staticmethod
    def _log_retry(method: str, path: str, cause: str, delay: float, attempt: int) -> None:
        logger.info(
            "retrying %s %s after %s in %.3fs (retry %d)", method, path, cause, delay, attempt
        )


class SyncTransport(_TransportCore):
    def __init__(
        self,
        settings: Settings,
        http_client: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(settings)
        self._owns_client = http_client is None
        self._http = http_client or httpx.Client(timeout=settings.timeout, follow_redirects=True)
        self.sleep = sleep

    def close(self) -> None:
        if self._owns_client:
            self._http.close()

    def __enter__(self) -> SyncTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotent: bool,
        request_id: str | None = None,
        deadline: float | None = None,
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                response = self._http.request(
                    method,
                    self._url(path),
                    json=json,
                    auth=self._auth,
                    timeout=self._timeout(deadline),
                )
            except httpx.TransportError as exc:
                delay = self._retry_after_exception(exc, attempt, idempotent, deadline)
                if delay is None:
                    raise self._connection_error(
                        exc, method=method, path=path, idempotent=idempotent, request_id=request_id
                    ) from exc
                cause = type(exc).__name__
            else:
                logger.debug("%s %s -> %d", method, path, response.status_code)
                try:
                    return self._read_answer(response, request_id)
                except APIError as error:
                    delay = self._retry_after_error(error, attempt, idempotent, deadline)
                    if delay is None:
                        raise
                    cause = f"HTTP {response.status_code}"
            attempt += 1
            self._log_retry(method, path, cause, delay, attempt)
            self.sleep(delay)

    def download(self, url: str, destination: Path) -> None:
        """Stream ``url`` to ``destination`` (via a ``.part`` file), retrying transient failures.

        No Authorization header: output files live on storage hosts that must not see the token.
        """
        part = _part_file(destination)
        attempt = 0
        while True:
            try:
                with self._http.stream("GET", url, auth=None) as response:
                    if response.is_success:
                        with part.open("wb") as out:
                            for chunk in response.iter_bytes():
                                out.write(chunk)
                        os.replace(part, destination)
                        return
                    response.read()
                    raise self._answer_error(response, _json_or_none(response), None)
            except httpx.TransportError as exc:
                part.unlink(missing_ok=True)
                delay = self._retry_after_exception(exc, attempt, True, None)
                if delay is None:
                    raise APIConnectionError(
                        f"download of {url} failed ({type(exc).__name__})"
                    ) from exc
                cause = type(exc).__name__
            except APIError as error:
                delay = self._retry_after_error(error, attempt, True, None)
                if delay is None:
                    raise
                cause = f"HTTP {error.status_code}"
            attempt += 1
            self._log_retry("GET", url, cause, delay, attempt)
            self.sleep(delay)


class AsyncTransport(_TransportCore):
    def __init__(
        self,
        settings: Settings,
        http_client: httpx.AsyncClient | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(settings)
        self._owns_client = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=settings.timeout, follow_redirects=True
        )
        self.sleep = sleep

    async def aclose(self) -> None:
        if self._owns_client:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotent: bool,
        request_id: str | None = None,
        deadline: float | None = None,
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    method,
                    self._url(path),
                    json=json,
                    auth=self._auth,
                    timeout=self._timeout(deadline),
                )
            except httpx.TransportError as exc:
                delay = self._retry_after_exception(exc, attempt, idempotent, deadline)
                if delay is None:
                    raise self._connection_error(
                        exc, method=method, path=path, idempotent=idempotent, request_id=request_id
                    ) from exc
                cause = type(exc).__name__
            else:
                logger.debug("%s %s -> %d", method, path, response.status_code)
                try:
                    return self._read_answer(response, request_id)
                except APIError as error:
                    delay = self._retry_after_error(error, attempt, idempotent, deadline)
                    if delay is None:
                        raise
                    cause = f"HTTP {response.status_code}"
            attempt += 1
            self._log_retry(method, path, cause, delay, attempt)
            await self.sleep(delay)

    async def download(self, url: str, destination: Path) -> None:
        """Async twin of :meth:`SyncTransport.download` (file writes are small and local)."""
        part = _part_file(destination)
        attempt = 0
        while True:
            try:
                async with self._http.stream("GET", url, auth=None) as response:
                    if response.is_success:
                        with part.open("wb") as out:
                            async for chunk in response.aiter_bytes():
                                out.write(chunk)
                        os.replace(part, destination)
                        return
                    await response.aread()
                    raise self._answer_error(response, _json_or_none(response), None)
            except httpx.TransportError as exc:
                part.unlink(missing_ok=True)
                delay = self._retry_after_exception(exc, attempt, True, None)
                if delay is None:
                    raise APIConnectionError(
                        f"download of {url} failed ({type(exc).__name__})"
                    ) from exc
                cause = type(exc).__name__
            except APIError as error:
                delay = self._retry_after_error(error, attempt, True, None)
                if delay is None:
                    raise
                cause = f"HTTP {error.status_code}"
            attempt += 1
            self._log_retry("GET", url, cause, delay, attempt)
            await self.sleep(delay)
