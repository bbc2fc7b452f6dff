"""HTTP to the RunComfy API: authentication, timeouts, retries, error mapping, downloads.

``SyncTransport`` and ``AsyncTransport`` share every decision (``_TransportCore``); they differ
only in how they wait and send. The token lives in a :class:`Secret` and reaches the wire
through an ``httpx.Auth`` object, so it is never in a local variable, a log line or a message.

Requests in flight are bounded by a semaphore at the connection pool's size, so httpx's pool
never keeps a queue of waiting requests: that queue is rescanned on every release, which made
1000 concurrent jobs spend most of their CPU there and fail with PoolTimeout (encode/httpcore
PR #1035). Waiting for a slot is free and has no timeout of its own, only the job's deadline:
a busy client slows down, it never fails an accepted job.
"""

from __future__ import annotations

import json as json_module
import os
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from ._errors import (
    APIConnectionError,
    APIError,
    DownloadTooLargeError,
    ProtocolError,
    SubmissionUncertainError,
)
from ._files import place, temporary_file
from ._package import logger, user_agent
from ._policy import (
    DEFAULT_TIMEOUT,
    PollPolicy,
    RetryPolicy,
    is_retryable_status,
    is_retryable_transport_error,
    parse_retry_after,
    surely_not_sent,
)
from ._probe import afile_info, file_info
from ._protocol import Secret, carries_error, effective_status, error_from_body
from ._types import FileInfo

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_CONNECTIONS",
    "AsyncTransport",
    "Settings",
    "SyncTransport",
    "pool_limits",
]

DEFAULT_BASE_URL = "https://model-api.runcomfy.net"
#: Connections per client, and the bound on its requests in flight. httpcore checks every idle
#: connection on each request (a readability poll per connection), so CPU per request grows
#: with the pool: 32 carry ~200 requests/s at 150 ms round trips (1000 jobs polled every 5 s)
#: with less CPU per job than httpx's default of 100 (docs/benchmarks.md). Raise it for
#: more jobs or slower links; more concurrent jobs than this wait for a connection, never fail.
DEFAULT_MAX_CONNECTIONS = 32
_MIN_TIMEOUT = 0.001  # httpx treats 0 as "no wait at all"; a deadline just reached gets this
_ERROR_TEXT_LIMIT = 200
#: The largest API answer read; a status or result is a few KiB (downloads have their own cap).
MAX_ANSWER_BYTES = 16 * 1024 * 1024
#: How much of a failed download's error body is read.
_ERROR_BODY_BYTES = 64 * 1024
_CHUNK = 1 << 16


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
    #: Connections in the pool, and requests in flight at once.
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    #: Ask for the job's ``cost`` with its result.
    include_cost: bool = False
    #: Read input files' headers before submit to check size/pixel/aspect rules.
    check_files: bool = False
    user_agent: str = field(default_factory=user_agent)
    #: Largest output file ``save()`` writes, in bytes (None: no limit).
    max_download_bytes: int | None = 4 * 1024**3
    #: Overall deadline of one ``save()`` in seconds (None: none).
    download_timeout: float | None = 1800.0


def pool_limits(max_connections: int) -> httpx.Limits:
    """Every connection of the pool is kept alive: the semaphore never lets more be asked for."""
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def _json_or_none(content: bytes) -> Any:
    try:
        return json_module.loads(content)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python parses
        return None


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
        self._headers = {"User-Agent": settings.user_agent, "Accept": "application/json"}
        #: Output files are media on a storage host: any type (as RunComfy's clients ask).
        self._file_headers = {"User-Agent": settings.user_agent, "Accept": "*/*"}
        self._limits = pool_limits(settings.max_connections)
        token = settings.token.reveal()
        self._token_bytes = token.encode()
        # JSON may spell these characters differently (``\\/``, ``\\u00e9``): then the raw
        # text cannot tell whether the token is in the body, and every body is scrubbed.
        self._always_redact = not token.isascii() or any(c in token for c in '"\\/')

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.settings.base_url!r})"

    def _url(self, path: str) -> str:
        return self.settings.base_url + path

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

    @staticmethod
    def _left(deadline: float | None) -> float | None:
        return None if deadline is None else deadline - time.monotonic()

    def _fits(self, delay: float, deadline: float | None) -> bool:
        return deadline is None or time.monotonic() + delay < deadline

    def _no_slot_error(self, method: str, path: str, request_id: str | None) -> APIConnectionError:
        return APIConnectionError(
            f"{method} {path}: no connection came free before the deadline; nothing was sent",
            request_id=request_id,
        )

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
        what = f"{type(exc).__name__}: {self.settings.token.shorten(str(exc)) or 'no detail'}"
        if not idempotent and not surely_not_sent(exc):
            return SubmissionUncertainError(
                f"{method} {path} got no answer ({what}); the job may or may not have been "
                "created, so it was not resent",
                request_id=request_id,
            )
        return APIConnectionError(f"{method} {path} failed ({what})", request_id=request_id)

    def _scrub(self, content: bytes, body: Any) -> Any:
        # Bytes, not decoded text: decoding every answer again costs more than the search.
        if self._always_redact or self._token_bytes in content:
            return self.settings.token.redact(body)
        return body

    def _too_large(self, response: httpx.Response, request_id: str | None) -> ProtocolError:
        return ProtocolError(
            f"the answer is over {MAX_ANSWER_BYTES} bytes; not read",
            status_code=response.status_code,
            request_id=request_id,
        )

    def _undecodable(self, response: httpx.Response, request_id: str | None) -> ProtocolError:
        """The body is not what its ``Content-Encoding`` says (httpx's DecodingError)."""
        encoding = response.headers.get("content-encoding", "")[:40]
        return ProtocolError(
            f"the answer cannot be decoded (Content-Encoding: {encoding!r})",
            status_code=response.status_code,
            request_id=request_id,
        )

    def _declared_too_large(self, response: httpx.Response) -> bool:
        declared = response.headers.get("content-length", "")
        return declared.isdigit() and int(declared) > MAX_ANSWER_BYTES

    def _add_chunk(
        self,
        chunks: list[bytes],
        chunk: bytes,
        size: int,
        response: httpx.Response,
        rid: str | None,
    ) -> int:
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:  # also a small compressed body that inflates without end
            raise self._too_large(response, rid)
        chunks.append(chunk)
        return size

    def _read_answer(
        self, response: httpx.Response, content: bytes, request_id: str | None
    ) -> dict[str, Any]:
        """The JSON object of a successful answer (token scrubbed); raises the typed error of
        any other."""
        if response.is_redirect:
            # API calls do not follow redirects (a submit must not be replayed elsewhere, and
            # the token must not travel): RunComfy's partner nodes refuse them too.
            raise self._redirected(response, request_id)
        body = self._scrub(content, _json_or_none(content))
        if response.is_success and isinstance(body, dict) and not carries_error(body):
            return body
        raise self._answer_error(response, content, body, request_id)

    def _redirected(self, response: httpx.Response, request_id: str | None) -> ProtocolError:
        where = self.settings.token.shorten(response.headers.get("location", "nowhere"))
        return ProtocolError(
            f"the API answered {response.status_code}, a redirect to {where!r}; not followed",
            status_code=response.status_code,
            request_id=request_id,
        )

    def _answer_error(
        self, response: httpx.Response, content: bytes, body: Any, request_id: str | None
    ) -> APIError:
        secret = self.settings.token
        hint = request_id or secret.redact(response.headers.get("x-request-id"))
        text = content.decode("utf-8", "replace")
        if response.is_success and not isinstance(body, dict):
            return ProtocolError(
                f"expected a JSON object, got: {secret.shorten(text, _ERROR_TEXT_LIMIT)!r}",
                status_code=response.status_code,
                request_id=hint,
            )
        if not isinstance(body, dict):
            body = {"message": secret.shorten(text, _ERROR_TEXT_LIMIT) or None}
        return error_from_body(
            response.status_code,
            body,
            reason=response.reason_phrase,
            request_id=hint,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            secret=secret,
        )

    @staticmethod
    def _log_retry(method: str, path: str, cause: str, delay: float, attempt: int) -> None:
        logger.info(
            "retrying %s %s after %s in %.3fs (retry %d)", method, path, cause, delay, attempt
        )

    def _check_length(self, response: httpx.Response, url: str) -> None:
        limit = self.settings.max_download_bytes
        declared = response.headers.get("content-length", "")
        if limit is not None and declared.isdigit() and int(declared) > limit:
            raise DownloadTooLargeError(f"{url}: {declared} bytes, over the {limit}-byte limit")

    def _write_chunk(self, out: IO[bytes], chunk: bytes, written: int, url: str) -> int:
        written += len(chunk)
        limit = self.settings.max_download_bytes
        if limit is not None and written > limit:
            raise DownloadTooLargeError(f"{url}: more than the {limit}-byte limit")
        out.write(chunk)
        return written

    @staticmethod
    def _check_deadline(deadline: float | None, url: str) -> None:
        if deadline is not None and time.monotonic() >= deadline:
            raise APIConnectionError(f"download of {url} passed the save deadline")

    @staticmethod
    def _undecodable_download(url: str) -> ProtocolError:
        """The file is not what its ``Content-Encoding`` says (httpx's DecodingError): a
        broken answer, not a network failure, so it is not fetched again."""
        return ProtocolError(f"download of {url}: the file cannot be decoded (Content-Encoding)")

    def _download_error(self, exc: httpx.TransportError, url: str) -> APIConnectionError:
        return APIConnectionError(
            f"download of {url} failed ({type(exc).__name__})"
            if not str(exc)
            else f"download of {url} failed ({type(exc).__name__}: "
            f"{self.settings.token.shorten(str(exc))})"
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
        self._http = http_client or httpx.Client(
            timeout=settings.timeout, limits=self._limits, follow_redirects=True
        )
        self._slots = threading.BoundedSemaphore(settings.max_connections)
        self.sleep = sleep

    def close(self) -> None:
        if self._owns_client:
            self._http.close()

    def __enter__(self) -> SyncTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _slot(
        self, method: str, path: str, deadline: float | None, request_id: str | None
    ) -> Iterator[None]:
        left = self._left(deadline)
        if not self._slots.acquire(timeout=None if left is None else max(left, 0.0)):
            raise self._no_slot_error(method, path, request_id)
        try:
            yield
        finally:
            self._slots.release()

    def _exchange(
        self,
        method: str,
        path: str,
        json: Any,
        params: dict[str, str] | None,
        deadline: float | None,
        request_id: str | None,
    ) -> tuple[httpx.Response, bytes]:
        """Send one request; its answer and at most MAX_ANSWER_BYTES of its body."""
        request = self._http.build_request(
            method,
            self._url(path),
            json=json,
            params=params,
            headers=self._headers,
            timeout=self._timeout(deadline),
        )
        response = self._http.send(request, auth=self._auth, follow_redirects=False, stream=True)
        try:
            if self._declared_too_large(response):
                raise self._too_large(response, request_id)
            chunks: list[bytes] = []
            size = 0
            try:
                for chunk in response.iter_bytes():
                    size = self._add_chunk(chunks, chunk, size, response, request_id)
            except httpx.DecodingError:
                raise self._undecodable(response, request_id) from None
            return response, b"".join(chunks)
        finally:
            response.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        idempotent: bool,
        request_id: str | None = None,
        deadline: float | None = None,
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                with self._slot(method, path, deadline, request_id):
                    response, content = self._exchange(
                        method, path, json, params, deadline, request_id
                    )
            except httpx.TransportError as exc:
                delay = self._retry_after_exception(exc, attempt, idempotent, deadline)
                if delay is None:
                    raise self._connection_error(
                        exc, method=method, path=path, idempotent=idempotent, request_id=request_id
                    ) from None
                cause = type(exc).__name__
            else:
                logger.debug("%s %s -> %d", method, path, response.status_code)
                try:
                    return self._read_answer(response, content, request_id)
                except APIError as error:
                    delay = self._retry_after_error(error, attempt, idempotent, deadline)
                    if delay is None:
                        raise
                    cause = f"HTTP {response.status_code}"
            attempt += 1
            self._log_retry(method, path, cause, delay, attempt)
            self.sleep(delay)

    def download(
        self, url: str, destination: Path, *, overwrite: bool, deadline: float | None
    ) -> None:
        """Stream ``url`` to ``destination`` (see ``_files``), retrying transient failures.

        No Authorization header: output files live on storage hosts that must not see the token.
        """
        attempt = 0
        while True:
            try:
                with self._slot("GET", url, deadline, None):
                    self._fetch_to(url, destination, overwrite=overwrite, deadline=deadline)
                return
            except httpx.DecodingError:
                raise self._undecodable_download(url) from None
            except httpx.TransportError as exc:
                delay = self._retry_after_exception(exc, attempt, True, deadline)
                if delay is None:
                    raise self._download_error(exc, url) from None
                cause = type(exc).__name__
            except DownloadTooLargeError:
                raise
            except APIError as error:
                delay = self._retry_after_error(error, attempt, True, deadline)
                if delay is None:
                    raise
                cause = f"HTTP {error.status_code}"
            attempt += 1
            self._log_retry("GET", url, cause, delay, attempt)
            self.sleep(delay)

    def probe_files(self, urls: list[str], deadline: float | None) -> dict[str, FileInfo]:
        """What each URL's file is (``check_files``); URLs that cannot be probed are left out."""
        found: dict[str, FileInfo] = {}
        for url in urls:
            with self._slot("HEAD", url, deadline, None):
                info = file_info(self._http, url)
            if info is not None:
                found[url] = info
        return found

    def _fetch_to(
        self, url: str, destination: Path, *, overwrite: bool, deadline: float | None
    ) -> None:
        with self._http.stream(
            "GET", url, auth=None, headers=self._file_headers, timeout=self._timeout(deadline)
        ) as response:
            if not response.is_success:
                content = b""
                for chunk in response.iter_bytes():  # enough of an error page to quote
                    content += chunk
                    if len(content) >= _ERROR_BODY_BYTES:
                        break
                raise self._answer_error(response, content, _json_or_none(content), None)
            self._check_length(response, url)
            fd, temp = temporary_file(destination)
            try:
                with os.fdopen(fd, "wb") as out:
                    written = 0
                    for chunk in response.iter_bytes(_CHUNK):
                        self._check_deadline(deadline, url)
                        written = self._write_chunk(out, chunk, written, url)
                place(temp, destination, overwrite=overwrite)
            finally:
                temp.unlink(missing_ok=True)


class AsyncTransport(_TransportCore):
    def __init__(
        self,
        settings: Settings,
        http_client: httpx.AsyncClient | None = None,
        *,
        owns_client: bool | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """``owns_client``: close ``http_client`` with the transport (default: only the one
        made here when none is given)."""
        # asyncio is imported here, not at the top: sync users and importing the package
        # (about 15 ms of it) never need it.
        import asyncio

        super().__init__(settings)
        self._owns_client = http_client is None if owns_client is None else owns_client
        self._http = http_client or httpx.AsyncClient(
            timeout=settings.timeout, limits=self._limits, follow_redirects=True
        )
        self._slots = asyncio.Semaphore(settings.max_connections)
        self.sleep = sleep or asyncio.sleep

    async def aclose(self) -> None:
        if self._owns_client:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _acquire(
        self, method: str, path: str, deadline: float | None, request_id: str | None
    ) -> None:
        left = self._left(deadline)
        if left is None or not self._slots.locked():
            await self._slots.acquire()
            return
        import asyncio

        try:
            async with asyncio.timeout(max(left, 0.0)):
                await self._slots.acquire()
        except TimeoutError:
            raise self._no_slot_error(method, path, request_id) from None

    async def _exchange(
        self,
        method: str,
        path: str,
        json: Any,
        params: dict[str, str] | None,
        deadline: float | None,
        request_id: str | None,
    ) -> tuple[httpx.Response, bytes]:
        """Async twin of :meth:`SyncTransport._exchange`."""
        request = self._http.build_request(
            method,
            self._url(path),
            json=json,
            params=params,
            headers=self._headers,
            timeout=self._timeout(deadline),
        )
        response = await self._http.send(
            request, auth=self._auth, follow_redirects=False, stream=True
        )
        try:
            if self._declared_too_large(response):
                raise self._too_large(response, request_id)
            chunks: list[bytes] = []
            size = 0
            try:
                async for chunk in response.aiter_bytes():
                    size = self._add_chunk(chunks, chunk, size, response, request_id)
            except httpx.DecodingError:
                raise self._undecodable(response, request_id) from None
            return response, b"".join(chunks)
        finally:
            await response.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        idempotent: bool,
        request_id: str | None = None,
        deadline: float | None = None,
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            await self._acquire(method, path, deadline, request_id)
            try:
                response, content = await self._exchange(
                    method, path, json, params, deadline, request_id
                )
            except httpx.TransportError as exc:
                delay = self._retry_after_exception(exc, attempt, idempotent, deadline)
                if delay is None:
                    raise self._connection_error(
                        exc, method=method, path=path, idempotent=idempotent, request_id=request_id
                    ) from None
                cause = type(exc).__name__
            else:
                logger.debug("%s %s -> %d", method, path, response.status_code)
                try:
                    return self._read_answer(response, content, request_id)
                except APIError as error:
                    delay = self._retry_after_error(error, attempt, idempotent, deadline)
                    if delay is None:
                        raise
                    cause = f"HTTP {response.status_code}"
            finally:
                self._slots.release()
            attempt += 1
            self._log_retry(method, path, cause, delay, attempt)
            await self.sleep(delay)

    async def download(
        self, url: str, destination: Path, *, overwrite: bool, deadline: float | None
    ) -> None:
        """Async twin of :meth:`SyncTransport.download` (file writes are small and local)."""
        attempt = 0
        while True:
            await self._acquire("GET", url, deadline, None)
            try:
                await self._fetch_to(url, destination, overwrite=overwrite, deadline=deadline)
                return
            except httpx.DecodingError:
                raise self._undecodable_download(url) from None
            except httpx.TransportError as exc:
                delay = self._retry_after_exception(exc, attempt, True, deadline)
                if delay is None:
                    raise self._download_error(exc, url) from None
                cause = type(exc).__name__
            except DownloadTooLargeError:
                raise
            except APIError as error:
                delay = self._retry_after_error(error, attempt, True, deadline)
                if delay is None:
                    raise
                cause = f"HTTP {error.status_code}"
            finally:
                self._slots.release()
            attempt += 1
            self._log_retry("GET", url, cause, delay, attempt)
            await self.sleep(delay)

    async def probe_files(self, urls: list[str], deadline: float | None) -> dict[str, FileInfo]:
        """Async :meth:`SyncTransport.probe_files` (the files are probed concurrently)."""

        async def one(url: str) -> FileInfo | None:
            await self._acquire("HEAD", url, deadline, None)
            try:
                return await afile_info(self._http, url)
            finally:
                self._slots.release()

        import asyncio

        found = await asyncio.gather(*(one(url) for url in urls))
        return {url: info for url, info in zip(urls, found, strict=True) if info is not None}

    async def _fetch_to(
        self, url: str, destination: Path, *, overwrite: bool, deadline: float | None
    ) -> None:
        async with self._http.stream(
            "GET", url, auth=None, headers=self._file_headers, timeout=self._timeout(deadline)
        ) as response:
            if not response.is_success:
                content = b""
                async for chunk in response.aiter_bytes():  # enough of an error page to quote
                    content += chunk
                    if len(content) >= _ERROR_BODY_BYTES:
                        break
                raise self._answer_error(response, content, _json_or_none(content), None)
            self._check_length(response, url)
            fd, temp = temporary_file(destination)
            try:
                with os.fdopen(fd, "wb") as out:
                    written = 0
                    async for chunk in response.aiter_bytes(_CHUNK):
                        self._check_deadline(deadline, url)
                        written = self._write_chunk(out, chunk, written, url)
                place(temp, destination, overwrite=overwrite)
            finally:
                temp.unlink(missing_ok=True)
