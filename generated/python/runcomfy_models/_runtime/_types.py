"""Types shared by every model module: the "not given" sentinel, validation issues, file facts.

Part of the runtime that runcomfy-codegen vendors into every generated package; do not edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["NOT_GIVEN", "FileInfo", "Issue", "NotGiven", "given"]


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
        # Serialized as None only to be dropped by InputModel: never reaches a payload.
        return core_schema.is_instance_schema(
            cls, serialization=core_schema.plain_serializer_function_ser_schema(_not_given_to_none)
        )


def _not_given_to_none(value: Any) -> Any:
    # A union's serializer may try this one on any value: only NOT_GIVEN becomes None.
    return None if isinstance(value, NotGiven) else value


NOT_GIVEN = NotGiven()


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without the arguments that were not given."""
    return {key: value for key, value in values.items() if not isinstance(value, NotGiven)}


class Issue(NamedTuple):
    """One problem with a request payload.

    ``pointer`` is the JSON pointer of the offending value (wire keys); ``name`` the Python name
    of the input it belongs to, when the model has one; ``rule`` names the broken keyword
    (``maxLength``) or custom rule (``file_size_mb<``). ``severity`` is ``"unchecked"`` for a
    file rule that needs the file's metadata when none was given: listed, never passed.
    ``str(issue)`` reads ``shift (149_shift): must be <= 15, not 20``. A named tuple: the
    generated validators make one per problem, and it is the cheapest immutable record.
    """

    pointer: str
    message: str
    rule: str | None = None
    severity: Literal["error", "unchecked"] = "error"
    name: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = self.pointer[1:] or "input"
        if self.name is not None and self.name != where:
            where = f"{self.name} ({where})"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class FileInfo:
    """What the caller knows of the file behind a URL (for size, pixel and ratio rules)."""

    size_bytes: int | None = None
    width: int | None = None
    height: int | None = None
