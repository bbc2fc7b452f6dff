"""When to retry, how long to wait, how often to poll.

The rules here are pure functions of what happened, shared by the sync and async transports.

Idempotency: reading a job's status or result, cancelling it and downloading its files can be
repeated safely, so they are retried on every transient failure. Submitting a job cannot: the
API has no idempotency key, and a resent submit whose first copy reached the server creates a
second, billed job. A submit is therefore retried only when the first copy surely created
nothing: the connection was never established, or the server refused it with 429/503.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import random
import time
from dataclasses import dataclass

import httpx

__all__ = [
    "DEFAULT_TIMEOUT",
    "PollPolicy",
    "RetryPolicy",
    "is_retryable_status",
    "is_retryable_transport_error",
    "parse_retry_after",
    "surely_not_sent",
]

#: Connect fast, wait long for answers: submit and result can take a while on a busy queue.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=30.0)

#: Statuses worth another try for a request that may be repeated.
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
#: Statuses that prove the server did not accept a submit (so it created no job).
_SUBMIT_REFUSED_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, honouring the server's ``Retry-After``.

    Attempt ``n`` (0-based) waits ``min(max_backoff, initial_backoff * 2**n)`` scaled by a
    random factor in ``[1 - jitter, 1]``. A ``Retry-After`` from the server replaces the
    computed wait (capped at ``max_retry_after``, so a misbehaving server cannot stall a
    client for hours).
    """

    max_retries: int = 3
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    jitter: float = 0.5
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.max_retry_after < 0:
            raise ValueError("backoff times must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt + 1``."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        base = min(self.max_backoff, self.initial_backoff * (2.0**attempt))
        return base * (1.0 - self.jitter * random.random())


@dataclass(frozen=True)
class PollPolicy:
    """Polling starts at ``initial_interval`` and grows by ``multiplier`` up to ``max_interval``.

    With the defaults a job is looked at 0.5 s after its submit, then after pauses of 0.75,
    1.1, 1.7, 2.5, 3.8 and 5 s (10.4 s in all by the sixth poll), then every 5 s: 2 polls for
    a 1 s job, 16 for a 60 s job, about 1 per 5 s beyond. Each poll is one ``GET .../result``
    request, which returns the finished result itself.
    """

    initial_interval: float = 0.5
    max_interval: float = 5.0
    multiplier: float = 1.5

    def __post_init__(self) -> None:
        if self.initial_interval < 0 or self.max_interval < 0:
            raise ValueError("poll intervals must be >= 0")
        if self.multiplier < 1:
            raise ValueError("multiplier must be >= 1")

    def interval(self, poll: int) -> float:
        """Seconds to wait after poll number ``poll`` (0-based)."""
        grown = self.initial_interval * (self.multiplier**poll)
        return min(self.max_interval, grown)


def is_retryable_status(status_code: int, *, idempotent: bool) -> bool:
    if idempotent:
        return status_code in _TRANSIENT_STATUSES
    return status_code in _SUBMIT_REFUSED_STATUSES


def surely_not_sent(exc: httpx.TransportError) -> bool:
    """Whether the request surely never reached the server.

    No connection was made (``ConnectError``, ``ConnectTimeout``), none was free in the pool
    (``PoolTimeout``), or httpx refused to send it (``LocalProtocolError``: e.g. a header value
    it cannot put on the wire; ``UnsupportedProtocol``). After a write or read timeout, or a
    dropped connection, the server may hold the job.
    """
    return isinstance(
        exc,
        httpx.ConnectError
        | httpx.ConnectTimeout
        | httpx.PoolTimeout
        | httpx.LocalProtocolError
        | httpx.UnsupportedProtocol,
    )


def is_retryable_transport_error(exc: httpx.TransportError, *, idempotent: bool) -> bool:
    """Whether a failed request may be sent again.

    A submit may be resent only if it never left the client and sending it again can work:
    no connection was made or none was free (a refused header would be refused again).
    """
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    if not idempotent:
        return False
    return isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None when absent or garbled."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # "-0000" dates parse naive; HTTP dates are always UTC
            when = when.replace(tzinfo=datetime.UTC)
        seconds = when.timestamp() - time.time()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(seconds, 0.0)
