"""Types shared by every model module: the "not given" sentinel, validation issues, file facts.

Part of the runtime that runcomfy-codegen vendors into every generated package; do not edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = [
    "NOT_GIVEN",
    "FileInfo",
    "InputModel",
    "Issue",
    "NotGiven",
    "escape_pointer_token",
    "given",
]


class NotGiven:
    """An optional argument the caller did not give: it is left out of the request.

    RunComfy expects a value or nothing, never ``null``, so "not given" cannot be ``None``.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.is_instance_schema(cls)


NOT_GIVEN = NotGiven()


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without the arguments that were not given."""
    return {key: value for key, value in values.items() if not isinstance(value, NotGiven)}


def escape_pointer_token(token: str | int) -> str:
    """One reference token of an Issue's pointer, escaped as RFC 6901 requires.

    The runtime's one copy: it ships without the generator (whose copy is in generator/errors.py).
    """
    return str(token).replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Issue:
    """One problem with a request payload.

    ``pointer`` is the JSON pointer of the offending value; ``rule`` names the broken keyword
    (``maxLength``) or custom rule (``file_size_mb<``). ``severity`` is ``"unchecked"`` for a
    file rule that needs the file's metadata when none was given: listed, never passed.
    """

    pointer: str
    message: str
    rule: str | None = None
    severity: Literal["error", "unchecked"] = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class FileInfo:
    """What the caller knows of the file behind a URL (for size, pixel and ratio rules)."""

    size_bytes: int | None = None
    width: int | None = None
    height: int | None = None


class InputModel(BaseModel):
    """Base of every model's input: adds the wire payload."""

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready request body: wire keys, given values only, never ``null``."""
        include = {
            name for name in self.model_fields_set if not isinstance(getattr(self, name), NotGiven)
        }
        # exclude_unset: a nested model's optional fields the caller left out stay out too.
        return self.model_dump(mode="json", by_alias=True, include=include, exclude_unset=True)
