"""``client.model("owner/model/task")``: any model by id, untyped, for ids the package lacks.

A model this package was generated with is validated by its generated ``validate()`` and
returns its typed output class; any other id is sent as given (the server validates it) and
returns an :class:`OutputModel` that keeps every key of the answer (``model_extra``).

Part of the runtime that runcomfy-codegen vendors into every generated package; do not edit.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from ._endpoint import AsyncModelEndpoint, ModelEndpoint
from ._handle import AsyncRequestHandle, OnUpdate, RequestHandle
from ._models import Result
from ._output import OutputModel
from ._transport import AsyncTransport, SyncTransport
from ._types import FileInfo, Issue

__all__ = ["AsyncDynamicModelEndpoint", "DynamicModelEndpoint", "ModelLookup", "find_model"]

#: A generated ``validate(payload, files=...)``.
Validator = Callable[..., list[Issue]]


class ModelLookup:
    """What the package knows of a model id: its validator and output class, if any."""

    def __init__(self, validator: Validator | None, output_type: type[OutputModel]) -> None:
        self.validator = validator
        self.output_type = output_type


def find_model(package: str, modules: Mapping[str, str], model_id: str) -> ModelLookup:
    """Import only the module of ``model_id`` (``modules``: model id -> module name)."""
    module_name = modules.get(model_id)
    if module_name is None:
        return ModelLookup(None, OutputModel)
    module = importlib.import_module(f"{package}.models.{module_name}")
    output_type = getattr(module, "OUTPUT_TYPE", OutputModel)
    return ModelLookup(module.validate, output_type)


class _Payload:
    """A wire payload as given (a copy, so later changes by the caller do not leak in)."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self._payload = dict(payload)

    def to_wire(self) -> dict[str, Any]:
        return dict(self._payload)


class DynamicModelEndpoint(ModelEndpoint[_Payload, OutputModel]):
    """One model by id on a sync client: ``submit(payload)`` / ``run(payload)`` (wire keys)."""

    def __init__(self, transport: SyncTransport, model_id: str, lookup: ModelLookup) -> None:
        super().__init__(transport)
        self.model_id = model_id
        self.output_type = lookup.output_type
        self._validator = lookup.validator

    def _check(
        self, payload: Mapping[str, Any], files: Mapping[str, FileInfo] | None = None
    ) -> list[Issue]:
        return [] if self._validator is None else self._validator(payload, files=files)

    def submit(
        self,
        payload: Mapping[str, Any],
        *,
        validate_input: bool = True,
        check_files: bool | None = None,
    ) -> RequestHandle[OutputModel]:
        """Queue a job with ``payload`` (wire keys) and return its handle."""
        return self._submit(
            _Payload(payload), validate_input=validate_input, check_files=check_files
        )

    def run(
        self,
        payload: Mapping[str, Any],
        *,
        validate_input: bool = True,
        check_files: bool | None = None,
        wait_timeout: float | None = None,
        on_update: OnUpdate | None = None,
        include_cost: bool | None = None,
    ) -> Result[OutputModel]:
        """Submit ``payload`` (wire keys), wait for the job and return its result."""
        return self._run(
            _Payload(payload),
            validate_input=validate_input,
            check_files=check_files,
            wait_timeout=wait_timeout,
            on_update=on_update,
            include_cost=include_cost,
        )


class AsyncDynamicModelEndpoint(AsyncModelEndpoint[_Payload, OutputModel]):
    """One model by id on an async client: ``await submit(payload)`` / ``await run(payload)``."""

    def __init__(self, transport: AsyncTransport, model_id: str, lookup: ModelLookup) -> None:
        super().__init__(transport)
        self.model_id = model_id
        self.output_type = lookup.output_type
        self._validator = lookup.validator

    def _check(
        self, payload: Mapping[str, Any], files: Mapping[str, FileInfo] | None = None
    ) -> list[Issue]:
        return [] if self._validator is None else self._validator(payload, files=files)

    async def submit(
        self,
        payload: Mapping[str, Any],
        *,
        validate_input: bool = True,
        check_files: bool | None = None,
    ) -> AsyncRequestHandle[OutputModel]:
        """Queue a job with ``payload`` (wire keys) and return its handle."""
        return await self._submit(
            _Payload(payload), validate_input=validate_input, check_files=check_files
        )

    async def run(
        self,
        payload: Mapping[str, Any],
        *,
        validate_input: bool = True,
        check_files: bool | None = None,
        wait_timeout: float | None = None,
        on_update: OnUpdate | None = None,
        include_cost: bool | None = None,
    ) -> Result[OutputModel]:
        """Submit ``payload`` (wire keys), wait for the job and return its result."""
        return await self._run(
            _Payload(payload),
            validate_input=validate_input,
            check_files=check_files,
            wait_timeout=wait_timeout,
            on_update=on_update,
            include_cost=include_cost,
        )
