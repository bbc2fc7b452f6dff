"""aiohttp under httpx for the async client: ``AsyncRunComfy(http_backend="aiohttp")``.

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

import urllib.request
from collections.abc import AsyncIterator

import aiohttp
import httpx
import httpx_aiohttp

from ._package import logger

__all__ = ["aiohttp_client"]


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


class _Body(httpx.AsyncByteStream):
    """The adapter's response stream, with failures while reading named as above."""

    def __init__(self, stream: httpx.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            error = _as_httpx_error(_original(exc))
            if error is None:
                raise
            raise error from None

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
            response = await super().handle_async_request(request)
        except ValueError as exc:  # UnicodeError too: raised before anything is sent
            raise _refused_before_sending(exc) from None
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            error = _as_httpx_error(_original(exc))
            if error is None:
                raise
            raise error from None
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
