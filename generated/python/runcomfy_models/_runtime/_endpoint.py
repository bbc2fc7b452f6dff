"""The base of every generated model client: validate locally, submit once, wait, return."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Generic, Protocol, TypeVar

import pydantic
from pydantic import BaseModel

from ._errors import InputValidationError, ProtocolError
from ._handle import AsyncRequestHandle, OnUpdate, RequestHandle
from ._models import Result
from ._transport import AsyncTransport, SyncTransport, model_path
from ._types import Issue

__all__ = ["AsyncModelEndpoint", "ModelEndpoint", "WireInput", "build_input"]

logger = logging.getLogger("runcomfy_models")


class WireInput(Protocol):
    """A generated ``<Model>Input``: it knows its JSON payload."""

    def to_wire(self) -> dict[str, Any]: ...


InputT = TypeVar("InputT", bound=WireInput)
OutputT = TypeVar("OutputT", bound=BaseModel)
ModelT = TypeVar("ModelT", bound=BaseModel)


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
                pointer="".join("/" + _pointer_token(part) for part in error["loc"]),
                message=error["msg"],
                rule=error["type"],
            )
            for error in exc.errors(include_url=False)
        ]
        raise InputValidationError(issues) from None


def _pointer_token(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


class _EndpointCore(ABC, Generic[InputT, OutputT]):
    model_id: str
    output_type: type[OutputT]
    _transport: SyncTransport | AsyncTransport

    @abstractmethod
    def _check(self, payload: Mapping[str, Any]) -> list[Issue]:
        """The generated validator's issues for ``payload``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r})"

    def _payload(self, data: InputT, validate_input: bool) -> dict[str, Any]:
        """The wire payload; raises InputValidationError before anything is sent."""
        payload = data.to_wire()
        if not validate_input:
            return payload
        issues = self._check(payload)
        errors = [issue for issue in issues if issue.is_error]
        if errors:
            raise InputValidationError(errors)
        # "unchecked": a file rule that needs metadata the caller did not give. Said once, not
        # silently passed; the server checks the file itself.
        unchecked = dict.fromkeys(f"{i.pointer}: {i.message}" for i in issues if not i.is_error)
        if unchecked:
            logger.warning(
                "%s: %d file rule(s) not checked locally (no file metadata): %s",
                self.model_id,
                len(unchecked),
                "; ".join(unchecked),
            )
        return payload

    def _time_left(self, timeout: float | None, started: float) -> float | None:
        """The run's deadline counts the submit too; what is left of it goes to ``wait``."""
        limit = self._transport.settings.wait_timeout if timeout is None else timeout
        if limit is None:
            return None
        return max(0.0, limit - (time.monotonic() - started))

    def _request_id(self, body: dict[str, Any]) -> str:
        request_id = body.get("request_id")
        if not isinstance(request_id, str) or not request_id:
            raise ProtocolError(f"submit answer without a request_id: {sorted(body)}")
        return request_id


class ModelEndpoint(_EndpointCore[InputT, OutputT]):
    """One model on a sync client. Generated subclasses add typed ``submit``/``run``."""

    _transport: SyncTransport

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def _submit(self, data: InputT, *, validate_input: bool = True) -> RequestHandle[OutputT]:
        payload = self._payload(data, validate_input)
        # Never retried after the request may have reached the server (see _policy).
        body = self._transport.request(
            "POST", model_path(self.model_id), json=payload, idempotent=False
        )
        return self.handle(self._request_id(body))

    def _run(
        self,
        data: InputT,
        *,
        validate_input: bool = True,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
    ) -> Result[OutputT]:
        started = time.monotonic()
        handle = self._submit(data, validate_input=validate_input)
        return handle.wait(timeout=self._time_left(timeout, started), on_update=on_update)

    def handle(self, request_id: str) -> RequestHandle[OutputT]:
        """A handle on a job submitted earlier (e.g. by another process)."""
        return RequestHandle(self._transport, request_id, self.output_type, model_id=self.model_id)


class AsyncModelEndpoint(_EndpointCore[InputT, OutputT]):
    """One model on an async client. Generated subclasses add typed ``submit``/``run``."""

    _transport: AsyncTransport

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def _submit(
        self, data: InputT, *, validate_input: bool = True
    ) -> AsyncRequestHandle[OutputT]:
        payload = self._payload(data, validate_input)
        body = await self._transport.request(
            "POST", model_path(self.model_id), json=payload, idempotent=False
        )
        return self.handle(self._request_id(body))

    async def _run(
        self,
        data: InputT,
        *,
        validate_input: bool = True,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
    ) -> Result[OutputT]:
        started = time.monotonic()
        handle = await self._submit(data, validate_input=validate_input)
        return await handle.wait(timeout=self._time_left(timeout, started), on_update=on_update)

    def handle(self, request_id: str) -> AsyncRequestHandle[OutputT]:
        return AsyncRequestHandle(
            self._transport, request_id, self.output_type, model_id=self.model_id
        )
