"""The client-wide objects: token, base URL, timeouts and policies, one HTTP connection pool."""

from __future__ import annotations

import dataclasses
import os
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from ._errors import AuthenticationError
from ._policy import DEFAULT_TIMEOUT, PollPolicy, RetryPolicy
from ._protocol import Secret
from ._transport import DEFAULT_BASE_URL, AsyncTransport, Settings, SyncTransport

__all__ = ["BASE_URL_ENV", "TOKEN_ENV", "AsyncClientBase", "ClientBase"]

TOKEN_ENV = "RUNCOMFY_API_TOKEN"
BASE_URL_ENV = "RUNCOMFY_BASE_URL"

_SyncSelf = TypeVar("_SyncSelf", bound="ClientBase")
_AsyncSelf = TypeVar("_AsyncSelf", bound="AsyncClientBase")


def _settings(
    token: str | None,
    base_url: str | None,
    timeout: float | httpx.Timeout,
    max_retries: int | None,
    retry_policy: RetryPolicy | None,
    poll_policy: PollPolicy | None,
    wait_timeout: float | None,
    cancel_on_timeout: bool,
) -> Settings:
    token = token if token is not None else os.environ.get(TOKEN_ENV)
    if not token:
        raise AuthenticationError(f"no API token: pass token=... or set {TOKEN_ENV}")
    base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base_url must be an http(s) URL, got {base!r}")
    retry = retry_policy or RetryPolicy()
    if max_retries is not None:
        retry = dataclasses.replace(retry, max_retries=max_retries)
    return Settings(
        base_url=base.rstrip("/"),
        token=Secret(token),
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        retry=retry,
        poll=poll_policy or PollPolicy(),
        wait_timeout=wait_timeout,
        cancel_on_timeout=cancel_on_timeout,
    )


class _ClientCore:
    """Arguments shared by both clients.

    - ``token``: the API token; default ``$RUNCOMFY_API_TOKEN``. Never shown in repr/errors/logs.
    - ``base_url``: default ``$RUNCOMFY_BASE_URL``, else https://model-api.runcomfy.net.
    - ``timeout``: seconds for every phase, or an ``httpx.Timeout`` (default connect 10 s,
      read/write 60 s, pool 30 s).
    - ``max_retries``: retries of a failed request (default 3; see ``retry_policy``).
    - ``retry_policy``/``poll_policy``: backoff and polling intervals.
    - ``wait_timeout``: default overall deadline of ``wait()``/``run()`` (30 min; None: none).
    - ``cancel_on_timeout``: cancel a still-queued job when its deadline passes (default True).
    """

    _transport: SyncTransport | AsyncTransport

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._transport.settings.base_url!r})"

    @property
    def base_url(self) -> str:
        return self._transport.settings.base_url


class ClientBase(_ClientCore):
    _transport: SyncTransport

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        poll_policy: PollPolicy | None = None,
        wait_timeout: float | None = 1800.0,
        cancel_on_timeout: bool = True,
        http_client: httpx.Client | None = None,
    ) -> None:
        settings = _settings(
            token,
            base_url,
            timeout,
            max_retries,
            retry_policy,
            poll_policy,
            wait_timeout,
            cancel_on_timeout,
        )
        self._transport = SyncTransport(settings, http_client)

    def close(self) -> None:
        """Close the connection pool (not an ``http_client`` passed in: its owner closes it)."""
        self._transport.close()

    def __enter__(self: _SyncSelf) -> _SyncSelf:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class AsyncClientBase(_ClientCore):
    _transport: AsyncTransport

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        poll_policy: PollPolicy | None = None,
        wait_timeout: float | None = 1800.0,
        cancel_on_timeout: bool = True,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        settings = _settings(
            token,
            base_url,
            timeout,
            max_retries,
            retry_policy,
            poll_policy,
            wait_timeout,
            cancel_on_timeout,
        )
        self._transport = AsyncTransport(settings, http_client)

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self: _AsyncSelf) -> _AsyncSelf:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()
