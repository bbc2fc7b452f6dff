"""What the queue tells about a job: its status, a cancel's outcome, the finished result."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel

from ._errors import ProtocolError
from ._transport import AsyncTransport, SyncTransport

__all__ = ["TERMINAL_STATUSES", "CancelOutcome", "Result", "StatusUpdate"]

OutputT = TypeVar("OutputT", bound=BaseModel)

TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class StatusUpdate:
    """One look at a job: ``status`` is in_queue, in_progress, completed, failed or cancelled
    (or a newer status this client does not know yet); ``queue_position`` while queued."""

    request_id: str
    status: str
    queue_position: int | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @classmethod
    def from_body(cls, body: dict[str, Any], request_id: str) -> StatusUpdate:
        status = body.get("status")
        if not isinstance(status, str):
            raise ProtocolError(
                f"status answer without a status: {sorted(body)}", request_id=request_id
            )
        position = body.get("queue_position")
        return cls(
            request_id=str(body.get("request_id") or request_id),
            status=status,
            queue_position=position
            if isinstance(position, int) and not isinstance(position, bool)
            else None,
        )


@dataclass(frozen=True)
class CancelOutcome:
    """The server's answer to a cancel: ``outcome`` is "cancelled" when the queued job was
    removed, "not_cancellable" when it already runs (it will finish and be billed), or what
    else the server said."""

    request_id: str
    outcome: str

    @property
    def cancelled(self) -> bool:
        return self.outcome == "cancelled"

    @classmethod
    def from_body(cls, body: dict[str, Any], request_id: str) -> CancelOutcome:
        outcome = body.get("outcome") or body.get("status")
        if not isinstance(outcome, str):
            raise ProtocolError(
                f"cancel answer without an outcome: {sorted(body)}", request_id=request_id
            )
        return cls(request_id=str(body.get("request_id") or request_id), outcome=outcome)


def _walk_urls(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if urlsplit(value).scheme in ("http", "https"):
            yield value
    elif isinstance(value, list):
        for item in value:
            yield from _walk_urls(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk_urls(item)


def _file_name(url: str, index: int, taken: set[str]) -> str:
    """A safe local name from the URL's last path segment, unique within one save."""
    raw = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = _UNSAFE_NAME_CHARS.sub("_", raw).lstrip(".") or f"output-{index}"
    stem, dot, suffix = name.partition(".")
    candidate, n = name, 1
    while candidate in taken:
        candidate = f"{stem}-{n}{dot}{suffix}"
        n += 1
    taken.add(candidate)
    return candidate


class Result(Generic[OutputT]):
    """A completed job: its typed ``output`` and the files it produced."""

    def __init__(
        self,
        request_id: str,
        output: OutputT,
        *,
        transport: SyncTransport | AsyncTransport,
        raw: dict[str, Any] | None = None,
    ) -> None:
        self.request_id = request_id
        self.output = output
        self.raw = raw or {}
        self._transport = transport

    def __repr__(self) -> str:
        return f"Result(request_id={self.request_id!r}, output={self.output!r})"

    def urls(self) -> list[str]:
        """Every http(s) URL in the output, in field order (duplicates kept once)."""
        return list(dict.fromkeys(_walk_urls(self.output.model_dump(mode="json"))))

    def _targets(self, directory: str | Path) -> list[tuple[str, Path]]:
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        return [(url, folder / _file_name(url, i, taken)) for i, url in enumerate(self.urls())]

    def save(self, directory: str | Path) -> list[Path]:
        """Stream every output file into ``directory`` (created if missing); returns the paths.

        Files are named after the URL's last path segment; an existing file of that name is
        replaced. From an async client, prefer ``await result.asave(directory)``.
        """
        targets = self._targets(directory)
        transport = self._transport
        if isinstance(transport, SyncTransport):
            for url, path in targets:
                transport.download(url, path)
        else:
            with SyncTransport(transport.settings) as temporary:
                for url, path in targets:
                    temporary.download(url, path)
        return [path for _, path in targets]

    async def asave(self, directory: str | Path) -> list[Path]:
        """Async :meth:`save`: downloads run one after another on the event loop."""
        targets = self._targets(directory)
        transport = self._transport
        if isinstance(transport, AsyncTransport):
            for url, path in targets:
                await transport.download(url, path)
        else:
            async with AsyncTransport(transport.settings) as temporary:
                for url, path in targets:
                    await temporary.download(url, path)
        return [path for _, path in targets]
