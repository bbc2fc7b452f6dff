"""urllib3 under httpx for the sync client: ``RunComfy(http_backend="urllib3")``.

httpx's own sync stack (httpcore, h11) costs about 1 ms of CPU per request when a thread pool
runs hundreds of jobs; urllib3, the connection pool under ``requests``, costs a third of it
(docs/benchmarks.md). No maintained package runs urllib3 as an httpx transport, so this module
is that adapter: httpx still builds, authenticates and decodes every request and answer, and
urllib3 only moves the bytes (no retries, no redirects, no decoding of its own).

As in ``_aiohttp``, each urllib3 failure is named by what it says about the request: not sent
(no connection made or free) or maybe sent (everything after the connection was made), so a
submit is resent only when it surely never left.

Imported only when that backend is asked for: ``urllib3`` is the package's optional
``urllib3`` extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import urllib3
from urllib3 import exceptions

__all__ = ["urllib3_client"]

_CHUNK = 1 << 16


def _as_httpx_error(error: BaseException) -> httpx.TransportError | None:
    """The httpx error that says what ``error`` (a urllib3 failure) means for the request;
    None when it is not one."""
    message = str(error) or type(error).__name__
    # Order matters: the classes nest (NewConnectionError is a ConnectTimeoutError, and
    # ReadTimeoutError a PoolError).
    if isinstance(error, exceptions.NewConnectionError):  # refused, unreachable, no DNS
        return httpx.ConnectError(message)
    if isinstance(error, exceptions.ConnectTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(error, exceptions.EmptyPoolError):  # no connection came free
        return httpx.PoolTimeout(message)
    if isinstance(error, exceptions.ReadTimeoutError):  # sent, no answer in time
        return httpx.ReadTimeout(message)
    if isinstance(error, exceptions.LocationValueError):
        return httpx.UnsupportedProtocol(message)
    if isinstance(error, exceptions.SSLError):  # the handshake, before any request byte
        return httpx.ConnectError(message)
    if isinstance(error, exceptions.ProxyError):
        return httpx.ProxyError(message)
    if isinstance(error, exceptions.ProtocolError):  # dropped, reset, truncated: maybe sent
        return httpx.RemoteProtocolError(message)
    if isinstance(error, exceptions.HTTPError | OSError):
        return httpx.ReadError(message)
    return None


def _renamed(error: BaseException) -> BaseException:
    return _as_httpx_error(error) or error


class _Body(httpx.SyncByteStream):
    """urllib3's answer, read in chunks as httpx asks for them (undecoded: httpx decodes)."""

    def __init__(self, response: urllib3.BaseHTTPResponse) -> None:
        self._response = response
        self._done = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._response.stream(_CHUNK, decode_content=False)
        except (exceptions.HTTPError, OSError) as exc:
            raise _renamed(exc) from None
        self._done = True

    def close(self) -> None:
        if not self._done:  # a connection with unread answer left must not be reused
            self._response.close()
        self._response.release_conn()


class _Transport(httpx.BaseTransport):
    def __init__(self, limits: httpx.Limits) -> None:
        # block=True: at most max_connections, as httpx's pool (the client's semaphore keeps
        # the requests in flight at that number, so nothing waits here in practice).
        self._pool = urllib3.PoolManager(
            num_pools=4,
            maxsize=limits.max_connections or 10,
            block=True,
            ssl_context=httpx.create_ssl_context(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        headers = urllib3.HTTPHeaderDict()
        for name, value in request.headers.multi_items():
            headers.add(name, value)
        try:
            response = self._pool.urlopen(
                request.method,
                str(request.url),
                body=request.read() or None,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                timeout=urllib3.Timeout(connect=timeouts.get("connect"), read=timeouts.get("read")),
                pool_timeout=timeouts.get("pool"),
            )
        except (exceptions.HTTPError, OSError) as exc:
            raise _renamed(exc) from None
        return httpx.Response(
            status_code=response.status,
            headers=list(response.headers.iteritems()),
            stream=_Body(response),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": response.reason.encode()}
            if response.reason
            else {"http_version": b"HTTP/1.1"},
        )

    def close(self) -> None:
        self._pool.clear()


def urllib3_client(timeout: httpx.Timeout, limits: httpx.Limits) -> httpx.Client:
    """An ``httpx.Client`` that sends through urllib3, with the client's timeouts and pool
    size; the transport that makes it owns and closes it."""
    # A proxy from the environment still works: httpx mounts its own transport for it.
    return httpx.Client(timeout=timeout, transport=_Transport(limits), follow_redirects=True)
