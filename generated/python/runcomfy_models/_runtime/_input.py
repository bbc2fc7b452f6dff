"""The base of every generated input class.

Kept apart from ``_types`` so that importing the runtime (and the package) defines no pydantic
model: pydantic builds model machinery on the first model class, which a package of 100+
models should pay only when one of them is used.

Part of the runtime that runcomfy-codegen vendors into every generated package; do not edit.
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from ._types import NotGiven

__all__ = ["InputModel"]


class InputModel(BaseModel):
    """Base of every model's input: adds the wire payload."""

    # Validators are built on first use, not at import: a package of 100+ models stays quick
    # to import, and a model nobody uses costs nothing.
    model_config = ConfigDict(defer_build=True)

    @model_serializer(mode="wrap")
    def _without_not_given(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        # model_dump()/model_dump_json() leave out what was not given, as the wire does.
        dumped: dict[str, Any] = handler(self)
        fields = type(self).model_fields
        for name, value in self.__dict__.items():
            if isinstance(value, NotGiven):
                alias = fields[name].alias if name in fields else None
                dumped.pop(alias if info.by_alias and alias else name, None)
        return dumped

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready request body: wire keys, the values the caller gave as given (an int
        stays an int, nothing is coerced or re-serialized), never a documented default, never
        ``null``."""
        fields = type(self).model_fields
        return {
            (fields[name].alias or name): _plain(value)
            for name, value in self.__dict__.items()
            if name in self.model_fields_set and name in fields and not isinstance(value, NotGiven)
        }


def _plain(value: Any) -> Any:
    """A copy of a JSON value (later changes by the caller do not leak into the request)."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, BaseModel):  # a nested object input: what the caller set, only
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value
