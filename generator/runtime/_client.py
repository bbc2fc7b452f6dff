"""The client-wide objects: token, base URL, timeouts and policies, one HTTP connection pool."""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import httpx

from ._errors import ConfigurationError
from ._package import distribution
from ._policy import DEFAULT_TIMEOUT, PollPolicy, RetryPolicy
from ._protocol import Secret, api_root
from ._transport import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_CONNECTIONS,
    AsyncTransport,
    Settings,
    SyncTransport,
)

__all__ = ["BASE_URL_ENV", "TOKEN_ENV", "AsyncClientBase", "ClientBase"]

TOKEN_ENV = "RUNCOMFY_API_TOKEN"
BASE_URL_ENV = "RUNCOMFY_BASE_URL"

_SyncSelf = TypeVar("_SyncSelf", bound="ClientBase")
_AsyncSelf = TypeVar("_AsyncSelf", bound="AsyncClientBase")


def _checked_token(token: str | None) -> Secret:
    token = token if token is not None else os.environ.get(TOKEN_ENV)
    if not token:
        raise ConfigurationError(f"no API token: pass token=... or set {TOKEN_ENV}")
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        # The token itself is never quoted, not even in part: the message must be safe to log.
        raise ConfigurationError(
            f"the API token holds whitespace or control characters ({len(token)} characters "
            f"given); check {TOKEN_ENV} or the token=... argument for a stray newline or space"
        )
    return Secret(token)


def _settings(
    token: str | None,
    base_url: str | None,
    timeout: float | httpx.Timeout,
    max_retries: int | None,
    retry_policy: RetryPolicy | None,
    poll_policy: PollPolicy | None,
    **options: Any,
) -> Settings:
    """The transport settings; ``options`` are :class:`Settings` fields taken as given."""
    secret = _checked_token(token)
    base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {secret.redact(base)!r}")
    retry = retry_policy or RetryPolicy()
    if max_retries is not None:
        retry = dataclasses.replace(retry, max_retries=max_retries)
    if options["max_connections"] < 1:
        raise ConfigurationError("max_connections must be at least 1")
    for name in ("wait_timeout", "download_timeout"):
        seconds = options[name]
        # NaN would never pass (it compares false with every clock reading): refused here.
        if seconds is not None and not (
            isinstance(seconds, int | float) and 0 <= seconds < math.inf
        ):
            raise ConfigurationError(
                f"{name} must be a finite number of seconds >= 0 or None, got {seconds!r}"
            )
    base = api_root(base)
    return Settings(
        base_url=base,
        token=secret,
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        retry=retry,
        poll=poll_policy or PollPolicy(),
        **options,
    )


def _wants_aiohttp(backend: str, given: object) -> bool:
    """Whether ``backend`` asks for aiohttp (checked, and its extra installed)."""
    if backend not in ("httpx", "aiohttp"):
        raise ConfigurationError(f"http_backend must be 'httpx' or 'aiohttp', got {backend!r}")
    if backend == "httpx":
        return False
    if given is not None:
        raise ConfigurationError("pass http_client or http_backend='aiohttp', not both")
    try:
        from . import _aiohttp  # noqa: F401  (aiohttp and httpx-aiohttp are an extra)
    except ImportError as exc:
        raise ConfigurationError(
            f"http_backend='aiohttp' needs aiohttp and httpx-aiohttp ({exc}): "
            f"pip install '{distribution()}[aiohttp]'"
        ) from None
    return True


def _sync_transport(settings: Settings, given: httpx.Client | None, backend: str) -> SyncTransport:
    """httpx's own pool (or the caller's ``given``), or aiohttp's on a background loop."""
    if not _wants_aiohttp(backend, given):
        return SyncTransport(settings, given)
    from ._aiohttp import LoopTransport

    return LoopTransport(settings)


def _async_transport(
    settings: Settings, given: httpx.AsyncClient | None, backend: str
) -> AsyncTransport:
    """httpx's own pool (or the caller's ``given``), or aiohttp's."""
    if not _wants_aiohttp(backend, given):
        return AsyncTransport(settings, given)
    from ._aiohttp import async_transport

    return async_transport(settings)


class _ClientCore:
    """Arguments shared by both clients.

    - ``token``: the API token; default ``$RUNCOMFY_API_TOKEN``. Checked when the client is
      made (no whitespace or control characters); never shown in repr/errors/logs.
    - ``base_url``: default ``$RUNCOMFY_BASE_URL``, else https://model-api.runcomfy.net; a
      final ``/v1`` (RunComfy's CLI writes its base so) is the same base.
    - ``timeout``: HTTP timeout of each request: seconds for every phase, or an
      ``httpx.Timeout`` (default connect 10 s, read/write 60 s, pool 30 s).
    - ``max_retries``: retries of a failed request (default 3; see ``retry_policy``).
    - ``retry_policy``/``poll_policy``: backoff and polling intervals.
    - ``wait_timeout``: default overall deadline of ``run()``/``wait()``: submit, polls and
      result (30 min; None: none).
    - ``cancel_on_timeout``: cancel a still-queued job when its deadline passes (default True).
    - ``max_connections``: connections in the pool, and requests in flight (default 32);
      more concurrent jobs wait for a free one, they never fail for it.
    - ``include_cost``: fetch each result with its ``cost`` (default False).
    - ``check_files``: probe input files (HEAD + first bytes) to check size, pixel and
      aspect-ratio rules before submitting (default False; also per call).
    - ``max_download_bytes``/``download_timeout``: limits of ``Result.save()`` (4 GiB, 30 min).
    - ``http_client``: your own ``httpx`` client (you close it); the settings above that
      shape the pool and timeouts are then yours to give it.
    - ``http_backend``: ``"httpx"`` (default) or ``"aiohttp"``, which sends through aiohttp
      (the ``aiohttp`` extra) at less CPU per job, for hundreds of concurrent jobs; the sync
      client then runs its requests on one event loop in a background thread.
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
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        include_cost: bool = False,
        check_files: bool = False,
        max_download_bytes: int | None = 4 * 1024**3,
        download_timeout: float | None = 1800.0,
        http_client: httpx.Client | None = None,
        http_backend: Literal["httpx", "aiohttp"] = "httpx",
    ) -> None:
        settings = _settings(
            token,
            base_url,
            timeout,
            max_retries,
            retry_policy,
            poll_policy,
            wait_timeout=wait_timeout,
            cancel_on_timeout=cancel_on_timeout,
            max_connections=max_connections,
            include_cost=include_cost,
            check_files=check_files,
            max_download_bytes=max_download_bytes,
            download_timeout=download_timeout,
        )
        self._transport = _sync_transport(settings, http_client, http_backend)

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
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        include_cost: bool = False,
        check_files: bool = False,
        max_download_bytes: int | None = 4 * 1024**3,
        download_timeout: float | None = 1800.0,
        http_client: httpx.AsyncClient | None = None,
        http_backend: Literal["httpx", "aiohttp"] = "httpx",
    ) -> None:
        settings = _settings(
            token,
            base_url,
            timeout,
            max_retries,
            retry_policy,
            poll_policy,
            wait_timeout=wait_timeout,
            cancel_on_timeout=cancel_on_timeout,
            max_connections=max_connections,
            include_cost=include_cost,
            check_files=check_files,
            max_download_bytes=max_download_bytes,
            download_timeout=download_timeout,
        )
        self._transport = _async_transport(settings, http_client, http_backend)

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self: _AsyncSelf) -> _AsyncSelf:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()
