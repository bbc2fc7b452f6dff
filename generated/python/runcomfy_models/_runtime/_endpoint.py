"""The base of every generated model client: validate locally, submit once, wait, return."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import pydantic

from ._errors import (
    APIConnectionError,
    DeadlineExceededError,
    InputValidationError,
    RunComfyError,
    SubmissionUncertainError,
)
from ._handle import AsyncRequestHandle, OnUpdate, RequestHandle, deadline_at
from ._models import Result
from ._probe import input_urls, note_unchecked_once
from ._protocol import model_path
from ._transport import AsyncTransport, SyncTransport
from ._types import FileInfo, Issue
from ._validation import pointer_token

if TYPE_CHECKING:
    # Only a type bound here; the real import costs importing the package ~15 ms.
    from pydantic import BaseModel

__all__ = ["AsyncModelEndpoint", "ModelEndpoint", "WireInput", "build_input"]

_IN_FLIGHT_NOTE = (
    "interrupted while the submit was in flight: a job may have been created (its request_id "
    "never arrived); check the RunComfy dashboard before submitting again"
)
#: RunComfy's request ids are UUIDs (36 characters); anything this long is not one.
_MAX_REQUEST_ID_CHARS = 256


class WireInput(Protocol):
    """A generated ``<Model>Input``: it knows its JSON payload."""

    def to_wire(self) -> dict[str, Any]: ...


InputT = TypeVar("InputT", bound=WireInput)
OutputT = TypeVar("OutputT", bound="BaseModel")
ModelT = TypeVar("ModelT", bound="BaseModel")


def build_input(
    input_type: type[ModelT], values: Mapping[str, Any], *, validate_input: bool = True
) -> ModelT:
    """A ``<Model>Input`` from wire-keyed ``values``, for generated ``submit``/``run``.

    With ``validate_input`` the model's own checks run and a failure is an
    InputValidationError (one Issue per problem, pointing at the wire key), like every other
    local validation failure; without it the values are taken as given, for the server to judge.
    """
    if not validate_input:
        return input_type.model_construct(**values)
    try:
        return input_type.model_validate(values)
    except pydantic.ValidationError as exc:
        issues = [
            Issue(
                pointer="".join("/" + pointer_token(part) for part in error["loc"]),
                message=error["msg"],
                rule=error["type"],
            )
            for error in exc.errors(include_url=False)
        ]
        raise InputValidationError(issues) from None


class _EndpointCore(ABC, Generic[InputT, OutputT]):
    model_id: str
    output_type: type[OutputT]
    _transport: SyncTransport | AsyncTransport

    @abstractmethod
    def _check(
        self, payload: Mapping[str, Any], files: Mapping[str, FileInfo] | None = None
    ) -> list[Issue]:
        """The generated validator's issues for ``payload`` (``files``: what is known of the
        files behind its URLs)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r})"

    def _checks_files(self, check_files: bool | None) -> bool:
        return self._transport.settings.check_files if check_files is None else check_files

    def _judge(
        self, payload: dict[str, Any], files: Mapping[str, FileInfo] | None
    ) -> dict[str, Any]:
        """``payload`` if it passes; raises InputValidationError before anything is sent."""
        issues = self._check(payload, files)
        errors = [issue for issue in issues if issue.is_error]
        if errors:
            raise InputValidationError(errors)
        # "unchecked": a file rule that needs metadata not fetched (check_files is off, or a
        # file could not be probed). Said once per process, never silently passed; the
        # server checks the file itself.
        unchecked = {issue.pointer for issue in issues if not issue.is_error}
        if unchecked:
            note_unchecked_once(self.model_id, len(unchecked))
        return payload

    def _request_id(self, body: dict[str, Any]) -> str:
        request_id = body.get("request_id")
        if not isinstance(request_id, str) or not request_id:
            raise SubmissionUncertainError(
                "the submit answer holds no request_id; a job may have been created: check "
                f"the RunComfy dashboard before submitting again (answer keys: "
                f"{sorted(map(str, body))[:20]})"
            )
        if len(request_id) > _MAX_REQUEST_ID_CHARS or not request_id.isprintable():
            # It goes into every poll's URL (100,000 characters made httpx raise InvalidURL
            # on the first poll) and into messages; it is not quoted, not even in part.
            raise SubmissionUncertainError(
                f"the submit answer's request_id is unusable ({len(request_id)} characters, "
                f"at most {_MAX_REQUEST_ID_CHARS} printable ones expected); a job may have been "
                "created: check the RunComfy dashboard before submitting again"
            )
        return request_id

    def _out_of_time(self, exc: APIConnectionError, deadline: float | None) -> RunComfyError:
        """A submit that failed once the run's deadline passed: nothing was created unless the
        submit may have reached the server (then SubmissionUncertainError stays)."""
        if isinstance(exc, SubmissionUncertainError):
            return exc
        if deadline is not None and time.monotonic() >= deadline:
            return DeadlineExceededError(
                f"the deadline passed before the job was submitted; no job was created ({exc})"
            )
        return exc


class ModelEndpoint(_EndpointCore[InputT, OutputT]):
    """One model on a sync client. Generated subclasses add typed ``submit``/``run``."""

    _transport: SyncTransport

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def _payload(
        self, data: InputT, validate_input: bool, check_files: bool | None, deadline: float | None
    ) -> dict[str, Any]:
        payload = data.to_wire()
        if not validate_input:
            return payload
        files = None
        if self._checks_files(check_files):
            files = self._transport.probe_files(input_urls(payload), deadline)
        return self._judge(payload, files)

    def _submit(
        self,
        data: InputT,
        *,
        validate_input: bool = True,
        check_files: bool | None = None,
        deadline: float | None = None,
    ) -> RequestHandle[OutputT]:
        payload = self._payload(data, validate_input, check_files, deadline)
        # Never retried after the request may have reached the server (see _policy).
        try:
            body = self._transport.request(
                "POST", model_path(self.model_id), json=payload, idempotent=False, deadline=deadline
            )
        except APIConnectionError as exc:
            raise self._out_of_time(exc, deadline) from None
        except BaseException as exc:  # Ctrl-C or task cancellation mid-submit
            if not isinstance(exc, RunComfyError):
                exc.add_note(_IN_FLIGHT_NOTE)
            raise
        return self.handle(self._request_id(body))

    def _run(
        self,
        data: InputT,
        *,
        validate_input: bool = True,
        check_files: bool | None = None,
        wait_timeout: float | None = None,
        on_update: OnUpdate | None = None,
        include_cost: bool | None = None,
    ) -> Result[OutputT]:
        """Submit and wait; ``wait_timeout`` covers all of it (submit, polls, result)."""
        limit = self._transport.settings.wait_timeout if wait_timeout is None else wait_timeout
        deadline = deadline_at(limit)
        handle = self._submit(
            data, validate_input=validate_input, check_files=check_files, deadline=deadline
        )
        try:
            return handle._wait_until(
                deadline,
                on_update=on_update,
                cancel_on_timeout=None,
                include_cost=include_cost,
                fresh=True,
            )
        except BaseException as exc:
            if not isinstance(exc, RunComfyError):  # Ctrl-C: say which job is out there
                exc.add_note(f"RunComfy request_id: {handle.request_id}")
            raise

    def handle(self, request_id: str) -> RequestHandle[OutputT]:
        """A handle on a job submitted earlier (e.g. by another process)."""
        return RequestHandle(self._transport, request_id, self.output_type, model_id=self.model_id)


class AsyncModelEndpoint(_EndpointCore[InputT, OutputT]):
    """One model on an async client. Generated subclasses add typed ``submit``/``run``."""

    _transport: AsyncTransport

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def _payload(
        self, data: InputT, validate_input: bool, check_files: bool | None, deadline: float | None
    ) -> dict[str, Any]:
        payload = data.to_wire()
        if not validate_input:
            return payload
        files = None
        if self._checks_files(check_files):
            files = await self._transport.probe_files(input_urls(payload), deadline)
        return self._judge(payload, files)

    async def _submit(
        self,
        data: InputT,
        *,
        validate_input: bool = True,
        check_files: bool | None = None,
        deadline: float | None = None,
    ) -> AsyncRequestHandle[OutputT]:
        payload = await self._payload(data, validate_input, check_files, deadline)
        try:
            body = await self._transport.request(
                "POST", model_path(self.model_id), json=payload, idempotent=False, deadline=deadline
            )
        except APIConnectionError as exc:
            raise self._out_of_time(exc, deadline) from None
        except BaseException as exc:  # Ctrl-C or task cancellation mid-submit
            if not isinstance(exc, RunComfyError):
                exc.add_note(_IN_FLIGHT_NOTE)
            raise
        return self.handle(self._request_id(body))

    async def _run(
        self,
        data: InputT,
        *,
        validate_input: bool = True,
        check_files: bool | None = None,
        wait_timeout: float | None = None,
        on_update: OnUpdate | None = None,
        include_cost: bool | None = None,
    ) -> Result[OutputT]:
        limit = self._transport.settings.wait_timeout if wait_timeout is None else wait_timeout
        deadline = deadline_at(limit)
        handle = await self._submit(
            data, validate_input=validate_input, check_files=check_files, deadline=deadline
        )
        try:
            return await handle._wait_until(
                deadline,
                on_update=on_update,
                cancel_on_timeout=None,
                include_cost=include_cost,
                fresh=True,
            )
        except BaseException as exc:
            if not isinstance(exc, RunComfyError):  # task cancelled: say which job is out there
                exc.add_note(f"RunComfy request_id: {handle.request_id}")
            raise

    def handle(self, request_id: str) -> AsyncRequestHandle[OutputT]:
        return AsyncRequestHandle(
            self._transport, request_id, self.output_type, model_id=self.model_id
        )
