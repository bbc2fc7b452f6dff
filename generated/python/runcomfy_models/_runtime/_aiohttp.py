"""aiohttp under httpx: ``AsyncRunComfy(http_backend="aiohttp")``, and ``RunComfy(...)`` with
the same backend on a background event loop (:class:`LoopTransport`).

httpx's own async stack (httpcore, anyio, h11) costs about 1 ms of CPU per request under
concurrency; aiohttp's C-accelerated connection handling costs a fraction of it, which halves
the client CPU of a job (docs/benchmarks.md). The Stainless SDKs offer the same choice
(``DefaultAioHttpClient``), through the same well-kept adapter: ``httpx-aiohttp`` runs
aiohttp as an httpx transport, so auth, redirects, decoding, streaming and every decision of
the runtime stay httpx's and ours.

One thing is not left to the adapter: how a failure is named. httpx-aiohttp reports a
connection dropped after the request was written (``ServerDisconnectedError``, a reset) as
``ConnectTimeout``, which says "never sent"; the runtime would then resend a submit and could
create a second job. :func:`_as_httpx_error` names each aiohttp failure by what it says about
the request: not sent (connect errors and connect timeouts) or maybe sent (everything else).

Where aiohttp would behave otherwise, httpx's behaviour is kept: credentials in a URL never
reach aiohttp (httpx has already made them a header; aiohttp refuses both), a host name
aiohttp cannot encode is "not sent" rather than a raw ValueError, header lines are read up to
h11's 16 KiB, and a proxy from the environment (``HTTP_PROXY``, ``HTTPS_PROXY``,
``ALL_PROXY``) is honoured by leaving such a client on httpx's own stack, which applies the
proxy and ``NO_PROXY`` rules.

Imported only when that backend is asked for: ``aiohttp`` and ``httpx-aiohttp`` are the
package's optional ``aiohttp`` extra.
"""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import httpx
import httpx_aiohttp

from ._package import PACKAGE, logger
from ._transport import AsyncTransport, Settings, SyncTransport, _TransportCore, pool_limits
from ._types import FileInfo

__all__ = ["LoopTransport", "aiohttp_client", "async_transport"]

_T = TypeVar("_T")


def _as_httpx_error(error: BaseException) -> httpx.TransportError | None:
    """The httpx error that says what ``error`` (an aiohttp failure) means for the request;
    None when it is not one."""
    message = str(error) or type(error).__name__
    # Order matters: the classes nest (ConnectionTimeoutError is a ServerTimeoutError, a
    # ClientConnectorError is a ClientOSError).
    if isinstance(error, aiohttp.ClientConnectorError):  # no connection was made
        return httpx.ConnectError(message)
    if isinstance(error, aiohttp.ConnectionTimeoutError):  # none made, or none came free
        return httpx.ConnectTimeout(message)
    if isinstance(error, aiohttp.ServerTimeoutError | TimeoutError):  # sent, no answer yet
        return httpx.ReadTimeout(message)
    if isinstance(error, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(message)
    if isinstance(error, aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError(message)  # a broken or missing answer
    if isinstance(error, aiohttp.ClientError):  # a reset, a truncated body...: maybe sent
        return httpx.ReadError(message)
    return None


def _refused_before_sending(error: ValueError) -> httpx.TransportError:
    """aiohttp refuses a request it cannot put on the wire (a host name IDNA cannot encode) with
    a plain ValueError, before connecting: nothing was sent."""
    return httpx.LocalProtocolError(str(error) or type(error).__name__)


def _original(exc: BaseException) -> BaseException:
    """The aiohttp failure behind ``exc``: httpx-aiohttp raises its own guess ``from`` it."""
    if isinstance(exc, httpx.TransportError) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


@contextmanager
def _renamed() -> Iterator[None]:
    """Raise each aiohttp failure (or httpx-aiohttp's guess at it) as the httpx error that
    says whether the request may have been sent."""
    try:
        yield
    except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
        error = _as_httpx_error(_original(exc))
        if error is None:
            raise
        raise error from None


class _Body(httpx.AsyncByteStream):
    """The adapter's response stream, with failures while reading named as above."""

    def __init__(self, stream: httpx.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _renamed():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


#: The longest response head line or header aiohttp reads: httpx's h11 takes a head of up to
#: 16 KiB, aiohttp's default stops a header at 8 KiB (a long signed ``Location`` from a
#: storage host would fail on one backend only).
_MAX_HEADER_BYTES = 16 * 1024


class _Transport(httpx_aiohttp.AiohttpTransport):
    def get_client(self) -> aiohttp.ClientSession:
        """The adapter's session (its pool size, keep-alive and TLS settings), with room for
        the header lengths httpx accepts."""
        connector = aiohttp.TCPConnector(
            limit=self.limits.max_connections or 0,
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
        )
        return aiohttp.ClientSession(
            connector=connector,
            max_line_size=_MAX_HEADER_BYTES,
            max_field_size=_MAX_HEADER_BYTES,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.userinfo:  # already a header (httpx's), never on the wire
            request.url = request.url.copy_with(userinfo=b"")
        try:
            with _renamed():
                response = await super().handle_async_request(request)
        except ValueError as exc:  # UnicodeError too: raised before anything is sent
            raise _refused_before_sending(exc) from None
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Body(response.stream)
        return response


def _environment_proxy() -> bool:
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def aiohttp_client(timeout: httpx.Timeout, limits: httpx.Limits) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` that sends through aiohttp, with the client's timeouts and
    pool size; the transport that makes it owns and closes it. With a proxy in the
    environment, httpx's own stack (see the module docstring)."""
    if _environment_proxy():
        logger.info("http_backend='aiohttp': a proxy is set in the environment; httpx carries it")
        return httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=True)
    transport = _Transport(limits=limits)
    return httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=True)


def async_transport(settings: Settings) -> AsyncTransport:
    """The async client's transport on this backend; it closes its pool."""
    client = aiohttp_client(settings.timeout, pool_limits(settings.max_connections))
    return AsyncTransport(settings, client, owns_client=True)


class LoopTransport(SyncTransport):
    """The sync client's aiohttp backend: every request runs on one event loop in a
    background thread, through an :class:`AsyncTransport`, and the calling thread waits for
    it. A thread pool of a thousand ``run()`` calls then costs what the async client costs:
    the threads only wait (and sleep between polls), the loop does the HTTP.

    The same decisions as the async transport (it is one), the same deadlines (one clock);
    an interrupt while waiting cancels the request on the loop and is raised as usual.
    """

    def __init__(self, settings: Settings) -> None:
        # Not SyncTransport.__init__: its httpx pool would never be used; every method that
        # sends is overridden to go through the async transport.
        _TransportCore.__init__(self, settings)
        self.sleep = time.sleep
        self._async = async_transport(settings)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name=f"{PACKAGE}-http", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def _wait(self, work: Coroutine[Any, Any, _T]) -> _T:
        future = asyncio.run_coroutine_threadsafe(work, self._running_loop())
        try:
            return future.result()
        except BaseException:
            future.cancel()  # an interrupt while waiting: the request stops too
            raise

    def request(self, method: str, path: str, **options: Any) -> dict[str, Any]:
        """:meth:`SyncTransport.request`, done by the async transport on the loop."""
        return self._wait(self._async.request(method, path, **options))

    def download(
        self, url: str, destination: Path, *, overwrite: bool, deadline: float | None
    ) -> None:
        self._wait(self._async.download(url, destination, overwrite=overwrite, deadline=deadline))

    def probe_files(self, urls: list[str], deadline: float | None) -> dict[str, FileInfo]:
        return self._wait(self._async.probe_files(urls, deadline))

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._async.aclose(), loop).result()
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()
