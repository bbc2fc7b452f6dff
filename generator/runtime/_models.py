"""What the queue tells about a job: its status, a cancel's outcome, the finished result."""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pydantic

from ._errors import ProtocolError
from ._files import output_file_name
from ._package import logger
from ._protocol import IN_PROGRESS, TERMINAL_STATUSES, JobStatus, normalize_status
from ._transport import AsyncTransport, Settings, SyncTransport
from ._urls import OutputURL, output_urls
from ._validation import pointer_token

if TYPE_CHECKING:
    # Only a type bound here; the real import costs importing the package ~15 ms.
    from pydantic import BaseModel

__all__ = ["CancelOutcome", "Result", "StatusUpdate", "parse_output"]

OutputT = TypeVar("OutputT", bound="BaseModel")
#: How many malformed pieces of one result are left out before giving up on typing it.
_MAX_REPAIRS = 100


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value) if value not in (float("inf"), float("-inf")) else None
    return None


@dataclass(frozen=True)
class StatusUpdate:
    """One look at a job.

    ``status`` is one of ``in_queue``, ``in_progress``, ``completed``, ``failed``,
    ``cancelled``; other spellings the server may use (``succeeded``, ``canceled``,
    ``pending``...) are mapped onto them, and a status this client does not know counts as
    ``in_progress``. ``raw_status`` is what the server sent; ``queue_position`` is set while
    queued, ``instance_id`` once a machine runs the job.
    """

    request_id: str
    status: JobStatus
    queue_position: int | None = None
    raw_status: str | None = None
    instance_id: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @classmethod
    def from_body(cls, body: dict[str, Any], request_id: str) -> StatusUpdate:
        raw = body.get("status")
        if not isinstance(raw, str):
            raise ProtocolError(
                f"status answer without a status: {sorted(map(str, body))[:20]}",
                request_id=request_id,
            )
        status = normalize_status(raw)
        if status is None:
            logger.debug("%s: unknown status %r, taken as in_progress", request_id, raw)
        position = body.get("queue_position")
        return cls(
            request_id=request_id,
            status=status or IN_PROGRESS,
            queue_position=position
            if isinstance(position, int) and not isinstance(position, bool)
            else None,
            raw_status=raw,
            instance_id=_text(body.get("instance_id")),
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
        return normalize_status(self.outcome) == "cancelled"

    @classmethod
    def from_body(cls, body: dict[str, Any], request_id: str) -> CancelOutcome:
        outcome = body.get("outcome") or body.get("status")
        if not isinstance(outcome, str):
            raise ProtocolError(
                f"cancel answer without an outcome: {sorted(map(str, body))[:20]}",
                request_id=request_id,
            )
        return cls(request_id=request_id, outcome=outcome)


def _pointer(loc: tuple[Any, ...]) -> str:
    return "".join("/" + pointer_token(part) for part in loc)


def _remove(data: Any, loc: tuple[Any, ...]) -> bool:
    """Drop the deepest piece of ``data`` that ``loc`` reaches; whether anything was dropped."""
    parent: Any = None
    key: Any = None
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            parent, key, node = node, part, node[part]
        else:
            break  # union/validator tags in ``loc`` name no piece of the data
    if parent is None:
        return False
    del parent[key]
    return True


def parse_output(output_type: type[OutputT], data: Any) -> tuple[OutputT, list[str]]:
    """``data`` as ``output_type``, leaving out what does not fit; the warnings say what.

    A completed job has been paid for: a malformed piece (a ``null`` in a list, a number where
    text belongs) costs that piece, never the result. What cannot be typed at all gives an
    output built without validation (missing fields unset); the raw body is on the Result.
    """
    warnings: list[str] = []
    if not isinstance(data, dict):
        warnings.append(f"output: expected an object, got {type(data).__name__}; left empty")
        data = {}
    candidate = copy.deepcopy(data)
    for _ in range(_MAX_REPAIRS):
        try:
            return output_type.model_validate(candidate), warnings
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False)
            first = errors[0]
            if not _remove(candidate, tuple(first["loc"])):
                break
            warnings.append(f"output{_pointer(tuple(first['loc']))}: {first['msg']}; left out")
    warnings.append(f"output does not match {output_type.__name__}; kept unvalidated")
    return output_type.model_construct(**candidate), warnings


class Result(Generic[OutputT]):
    """A completed job: its typed ``output``, what the server said of it, its files.

    ``raw`` is the server's whole answer (token redacted), whatever the typed view kept;
    ``warnings`` lists the pieces of the output that did not fit the documented schema and
    were left out of ``output``, and each URL this client does not download (any scheme but
    http and https: see :meth:`unsupported_urls`). ``cost`` (with ``include_cost``), ``created_at``,
    ``finished_at`` and ``instance_id`` are as the server sent them, None when absent.
    """

    def __init__(
        self,
        request_id: str,
        output: OutputT,
        *,
        transport: SyncTransport | AsyncTransport,
        raw: dict[str, Any] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.request_id = request_id
        self.output = output
        self.raw: dict[str, Any] = raw or {}
        self.warnings: list[str] = [
            *(warnings or []),
            *(found.warning() for found in self._urls() if not found.downloadable),
        ]
        self.status: JobStatus = "completed"
        self.cost = _number(self.raw.get("cost"))
        self.created_at = _text(self.raw.get("created_at"))
        self.finished_at = _text(self.raw.get("finished_at"))
        self.instance_id = _text(self.raw.get("instance_id"))
        self._transport = transport

    def __repr__(self) -> str:
        return f"Result(request_id={self.request_id!r}, output={self.output!r})"

    def _urls(self) -> Iterator[OutputURL]:
        return output_urls(self.raw.get("output"))

    def urls(self) -> list[str]:
        """Every http(s) URL in the output as the server wrote it, in order, each once.

        URLs of other schemes are never listed (nor downloaded): :meth:`unsupported_urls`.
        """
        return list(dict.fromkeys(found.url for found in self._urls() if found.downloadable))

    def unsupported_urls(self) -> list[tuple[str, str]]:
        """``(JSON pointer into the output, URL)`` of every URL that is not downloaded: any
        scheme but http and https (``file:``, ``ftp:``, ``data:`` ...), or one that does not
        parse. Each is also in :attr:`warnings`; ``save()`` refuses while there are any,
        unless ``skip_unsupported=True``."""
        return [(found.pointer, found.url) for found in self._urls() if not found.downloadable]

    def _refuse_unsupported(self) -> None:
        skipped = [found for found in self._urls() if not found.downloadable]
        if not skipped:
            return
        listed = ", ".join(f"output{found.pointer} ({found.kind})" for found in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        raise ProtocolError(
            f"the output holds URLs this client does not download: {listed}{more}; nothing "
            "was saved (skip_unsupported=True saves the http(s) files alone)",
            request_id=self.request_id,
        )

    def _targets(
        self, directory: str | Path, overwrite: bool, skip_unsupported: bool
    ) -> list[tuple[str, Path]]:
        if not skip_unsupported:
            self._refuse_unsupported()
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        targets = [
            (url, folder / output_file_name(self.request_id, index, url))
            for index, url in enumerate(self.urls())
        ]
        if not overwrite:
            taken = [str(path) for _, path in targets if os.path.lexists(path)]
            if taken:
                raise FileExistsError(
                    f"{', '.join(taken)} exist(s); pass overwrite=True to replace"
                )
        return targets

    def _deadline(self, settings: Settings, timeout: float | None) -> float | None:
        limit = settings.download_timeout if timeout is None else timeout
        return None if limit is None else time.monotonic() + limit

    def save(
        self,
        directory: str | Path,
        *,
        overwrite: bool = False,
        timeout: float | None = None,
        skip_unsupported: bool = False,
    ) -> list[Path]:
        """Download every output file into ``directory`` (created if missing); the paths.

        Files are named ``<request id>-<index>-<name in the URL>``. Without ``overwrite`` an
        existing file of that name raises FileExistsError before anything is downloaded (and
        a file appearing meanwhile is never replaced). Each file is written to a temporary
        file and moved into place when complete. ``timeout`` bounds the whole save (default:
        the client's ``download_timeout``); a file over ``max_download_bytes`` raises
        DownloadTooLargeError. Only http(s) URLs are downloaded: while the output holds any
        other (:meth:`unsupported_urls`) ProtocolError is raised before anything is written,
        unless ``skip_unsupported`` says to save the http(s) files alone. From an async
        client, prefer ``await result.asave(...)``.
        """
        targets = self._targets(directory, overwrite, skip_unsupported)
        transport = self._transport
        deadline = self._deadline(transport.settings, timeout)
        if isinstance(transport, SyncTransport):
            for url, path in targets:
                transport.download(url, path, overwrite=overwrite, deadline=deadline)
        else:
            with SyncTransport(transport.settings) as temporary:
                for url, path in targets:
                    temporary.download(url, path, overwrite=overwrite, deadline=deadline)
        return [path for _, path in targets]

    async def asave(
        self,
        directory: str | Path,
        *,
        overwrite: bool = False,
        timeout: float | None = None,
        skip_unsupported: bool = False,
    ) -> list[Path]:
        """Async :meth:`save`: downloads run one after another on the event loop."""
        targets = self._targets(directory, overwrite, skip_unsupported)
        transport = self._transport
        deadline = self._deadline(transport.settings, timeout)
        if isinstance(transport, AsyncTransport):
            for url, path in targets:
                await transport.download(url, path, overwrite=overwrite, deadline=deadline)
        else:
            async with AsyncTransport(transport.settings) as temporary:
                for url, path in targets:
                    await temporary.download(url, path, overwrite=overwrite, deadline=deadline)
        return [path for _, path in targets]
