"""The base of every generated output class: a completed (billed) result is never lost.

RunComfy's answers are not always what the output schema documents: a ``null`` inside a list
of URLs, a number where a URL was documented. Raising would lose a result that has been paid
for, so :class:`OutputModel` keeps what fits, leaves each piece that does not fit out (a field
falls back to ``None``, a list item is dropped) and lists what it left out in
``output_warnings``. URLs are plain ``str``, kept byte for byte (relative ones too).

Part of the runtime that runcomfy-codegen vendors into every generated package; do not edit.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from ._validation import pointer_token, shown

__all__ = ["OutputModel"]

# Each pass removes every piece pydantic refused; nested mismatches may need a few.
_MAX_PASSES = 5


def _remove(data: dict[str, Any], loc: tuple[int | str, ...]) -> bool:
    """Remove the value at ``loc`` (a field, or an item of a list field); False if not found."""
    parent: Any = data
    for part in loc[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    last = loc[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        return True
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        parent[last] = _DROPPED
        return True
    return False


class _Dropped:
    """Marks a list item to delete after all removals of a pass (indices stay valid)."""


_DROPPED = _Dropped()


def _compact(value: Any) -> Any:
    if isinstance(value, list):
        return [_compact(item) for item in value if item is not _DROPPED]
    if isinstance(value, dict):
        return {key: _compact(item) for key, item in value.items()}
    return value


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    return value


class OutputModel(BaseModel):
    """Base of every model's output: lenient, never loses a completed result."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    _output_warnings: tuple[str, ...] = PrivateAttr(default=())

    @property
    def output_warnings(self) -> tuple[str, ...]:
        """What the answer held that did not fit this class and was left out (JSON pointer,
        problem, value); empty when the answer matched the documented schema."""
        return self._output_warnings

    @model_validator(mode="wrap")
    @classmethod
    def _keep_what_fits(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        if isinstance(data, cls):
            return data
        warnings: list[str] = []
        if not isinstance(data, dict):
            warnings.append(f"/: the output is {shown(data)}, not an object")
            data = {}
        for _ in range(_MAX_PASSES):
            try:
                model = handler(data)
            except ValidationError as exc:
                data = _copy(data)
                removed = False
                for error in exc.errors(include_url=False):
                    loc = tuple(error["loc"])
                    if loc and _remove(data, loc):
                        removed = True
                        pointer = "".join("/" + pointer_token(part) for part in loc)
                        warnings.append(
                            f"{pointer}: {error['msg']}; left out (was {shown(error['input'])})"
                        )
                data = _compact(data)
                if not removed:
                    break
                continue
            model._output_warnings = tuple(warnings)
            return model
        # Still refused (e.g. a documented-required key is missing): keep the values unchecked.
        model = cls.model_construct(**data)
        model._output_warnings = (*warnings, "/: the output does not match; values kept unchecked")
        return model
