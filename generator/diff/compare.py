"""Compare two normalized models property by property and classify every change.

Properties are matched by wire key, then (for what is left) by Python name: renumbering a
ComfyUI workflow (``143_image`` -> ``212_image``) keeps the Python name, so it is one renamed
property, not one removed and one added.

What is classified is read from the IR (:class:`FieldSpec` and its typed
:class:`~generator.schema.ir.Constraints`). Only the catch-all looks at the JSON Schema
itself: a keyword the IR does not model still changes what the API accepts, so a change of
any such keyword is reported (breaking unless it is an annotation).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from generator.diff.changes import Category, Change
from generator.errors import join_pointer
from generator.schema.ir import Constraints, FieldSpec, ModelSpec, OutputFieldSpec, Rule

__all__ = ["compare"]

B, N, W = Category.BREAKING, Category.NON_BREAKING, Category.NOTEWORTHY

#: Keywords whose changes are classified below; a change of any other keyword is reported as
#: "constraint-changed" (breaking: it cannot be shown to accept every old request).
_HANDLED = {
    "type", "items", "enum", "default", "title", "description", "format", "contentMediaType",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "minItems", "maxItems", "x-runcomfy-validations", "properties", "required",
}  # fmt: skip
_ANNOTATIONS = {"examples", "deprecated", "$comment", "readOnly", "writeOnly"}

# A bound as (tightness, shown): a larger tightness admits fewer values. None = unbounded.
_Bound = tuple[tuple[float, bool], str] | None


def _shown(value: Any, present: bool = True) -> str:
    """A schema value as JSON spells it (``null``, ``true``, ``"a"``); ``none`` when absent."""
    if not present:
        return "none"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _label(f: FieldSpec | OutputFieldSpec) -> str:
    return f"{f.wire_key!r}" + (f" ({f.python_name})" if f.python_name != f.wire_key else "")


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    found = schema.get("properties")
    return found if isinstance(found, dict) else {}


def _required(schema: dict[str, Any]) -> set[str]:
    found = schema.get("required")
    return {key for key in found if isinstance(key, str)} if isinstance(found, list) else set()


def _kinds(c: Constraints | None) -> str | None:
    """A node's JSON types without null (``string or integer``): null is compared apart
    (became-nullable / no-longer-nullable). None when the node has no type."""
    if c is None:
        return None
    return " or ".join(t for t in c.types if t != "null") or None


class _FieldComparer:
    def __init__(self, old: FieldSpec, new: FieldSpec) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.base = join_pointer("/properties", new.wire_key)
        #: Inside an object-typed input: the nested path (``lora.scale: ``) put before messages.
        self.where = ""

    def add(
        self,
        category: Category,
        code: str,
        what: str,
        pointer: str = "",
        old: Any = None,
        new: Any = None,
        wire: Category | bool = True,
    ) -> None:
        self.changes.append(
            Change(
                category=category,
                code=code,
                message=f"{_label(self.new)}: {self.where}{what}",
                part="input",
                wire_key=self.new.wire_key,
                python_name=self.new.python_name,
                pointer=self.base + pointer,
                old=old,
                new=new,
                wire=category if wire is True else (wire or None),  # False: callers unaffected
            )
        )

    def run(self) -> list[Change]:
        o, n = self.old, self.new
        if o.wire_key != n.wire_key:
            self.add(
                W,
                "wire-key-renamed",
                f"wire key renamed from {o.wire_key!r}; the Python name stays "
                "(regenerate the SDK; raw HTTP callers must send the new key)",
                old=o.wire_key,
                new=n.wire_key,
                wire=B,
            )
        if o.python_name != n.python_name:
            self.add(
                B,
                "python-name-changed",
                f"Python name changed from {o.python_name!r} to {n.python_name!r}",
                old=o.python_name,
                new=n.python_name,
                wire=False,
            )
        if o.required != n.required:
            if n.required:
                self.add(B, "became-required", "became required", "", False, True)
            else:
                self.add(N, "became-optional", "became optional", "", True, False)
        self.types()
        self.node(o.constraints, n.constraints, "")
        self.unmodelled(o.schema, n.schema, "")
        self.nested(o.schema, n.schema, "", o.python_name)
        if o.constraints.items and n.constraints.items:
            self.node(o.constraints.items, n.constraints.items, "/items")
            self.unmodelled(o.schema["items"], n.schema["items"], "/items")
            self.nested(o.schema["items"], n.schema["items"], "/items", f"{o.python_name}[]")
        self.rules(o.rules, n.rules)
        self.annotations()
        return self.changes

    def nested(self, old: dict[str, Any], new: dict[str, Any], at: str, path: str) -> None:
        """The properties of an object-typed input (a LoRA's settings), each classified as an
        input is: removed or newly required breaks, optional added does not, and so on."""
        old_props, new_props = _properties(old), _properties(new)
        old_required, new_required = _required(old), _required(new)
        outer = self.where
        for key in [*old_props, *(k for k in new_props if k not in old_props)]:
            pointer = join_pointer(at, "properties", key)
            self.where = f"{path}.{key}: "
            try:
                if key not in new_props:
                    self.add(B, "property-removed", "removed", pointer, old_props[key])
                elif key not in old_props:
                    if key in new_required:
                        self.add(B, "required-property-added", "added, required", pointer)
                    else:
                        self.add(N, "property-added", "added, optional", pointer)
                else:
                    if (key in old_required) != (key in new_required):
                        if key in new_required:
                            self.add(B, "became-required", "became required", pointer)
                        else:
                            self.add(N, "became-optional", "became optional", pointer)
                    self.subschema(old_props[key], new_props[key], pointer, f"{path}.{key}")
            finally:
                self.where = outer

    def subschema(self, old: Any, new: Any, at: str, path: str) -> None:
        """One nested schema against its new version: type, constraints, its own properties
        and items, and any keyword the IR does not model."""
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        old_c, new_c = Constraints.of(old), Constraints.of(new)
        old_kind, new_kind = _kinds(old_c), _kinds(new_c)
        if old_kind != new_kind:
            if (old_kind, new_kind) == ("integer", "number"):
                self.add(N, "type-widened", "type integer -> number", at + "/type")
            else:
                self.add(
                    B, "type-changed", f"type {old_kind} -> {new_kind}", at + "/type",
                    old_kind, new_kind,
                )  # fmt: skip
            return  # the rest compares values of another kind
        self.nullability(old_c, new_c, "", at + "/type")
        self.node(old_c, new_c, at)
        self.unmodelled(old, new, at)
        for key, category, code in (
            ("default", W, "default-changed"),
            ("title", W, "title-changed"),
            ("description", W, "description-changed"),
            # nested file rules are not in the IR's rules: any change is not proven compatible
            ("x-runcomfy-validations", B, "constraint-changed"),
        ):
            if (key in old, old.get(key)) != (key in new, new.get(key)):
                shown = f"{_shown(old.get(key), key in old)} -> {_shown(new.get(key), key in new)}"
                self.add(
                    category, code, f"{key} {shown}", f"{at}/{key}", old.get(key), new.get(key)
                )
        self.nested(old, new, at, path)
        self.subschema(old.get("items"), new.get("items"), at + "/items", f"{path}[]")

    def annotations(self) -> None:
        o, n = self.old, self.new
        if (o.has_default, o.default) != (n.has_default, n.default):
            self.add(
                W,
                "default-changed",
                f"default {_shown(o.default, o.has_default)} -> "
                f"{_shown(n.default, n.has_default)}",
                "/default",
                o.default, n.default,
            )  # fmt: skip
        for key, old, new in (
            ("description", o.description, n.description),
            ("title", o.title, n.title),
        ):
            if old != new:
                self.add(W, f"{key}-changed", f"{key} changed", "/" + key, old, new)

    def types(self) -> None:
        o, n = self.old, self.new
        old_items, new_items = o.constraints.items, n.constraints.items
        for what, old_type, new_type, at in (
            ("type", o.json_type, n.json_type, "/type"),
            ("item type", _kinds(old_items), _kinds(new_items), "/items/type"),
        ):
            if old_type == new_type or (what == "item type" and o.json_type != n.json_type):
                continue
            if old_type == "integer" and new_type == "number":
                self.add(N, "type-widened", f"{what} integer -> number", at, old_type, new_type)
            else:
                self.add(
                    B, "type-changed", f"{what} {old_type} -> {new_type}", at, old_type, new_type
                )
        self.nullability(o.constraints, n.constraints, "", "/type")
        if old_items and new_items and o.json_type == n.json_type:
            self.nullability(old_items, new_items, "items ", "/items/type")
        if o.media != n.media:
            old_media = o.media.value if o.media else None
            new_media = n.media.value if n.media else None
            category = N if n.media is None else B
            self.add(
                category,
                "media-changed",
                f"media {old_media or 'any'} -> {new_media or 'any URL or text'}",
                "",
                old_media,
                new_media,
            )

    def nullability(self, old: Constraints, new: Constraints, what: str, at: str) -> None:
        """[X, "null"] against X: null allowed is a widening, null refused a narrowing."""
        old_null, new_null = "null" in old.types, "null" in new.types
        if old_null != new_null:
            if new_null:
                self.add(N, "became-nullable", f"{what}may now be null", at, False, True)
            else:
                self.add(B, "no-longer-nullable", f"{what}may no longer be null", at, True, False)

    def node(self, old: Constraints, new: Constraints, at: str) -> None:
        """The modelled constraints of one schema node (the property, or its items)."""
        old_enum = list(old.enum) if old.enum is not None else None
        new_enum = list(new.enum) if new.enum is not None else None
        if ("null" in old.types) != ("null" in new.types):
            # The null an enum gains or loses with its type ([X, "null"]) is that change, reported
            # once with the type (became-nullable / no-longer-nullable), not as an enum value too.
            old_enum = None if old_enum is None else [v for v in old_enum if v is not None]
            new_enum = None if new_enum is None else [v for v in new_enum if v is not None]
        self.enum(old_enum, new_enum, at)
        for noun, lower, upper in (
            ("range", _range_lower, _range_upper),
            ("length", _length_lower, _length_upper),
            ("item-count", _items_lower, _items_upper),
        ):
            keyword_low, old_low = lower(old)
            _, new_low = lower(new)
            self.bound(old_low, new_low, noun, "lower", f"{at}/{keyword_low}")
            keyword_high, old_high = upper(old)
            _, new_high = upper(new)
            self.bound(old_high, new_high, noun, "upper", f"{at}/{keyword_high}")
        # A media change is reported by types() ("media-changed"), with its format.
        media = self.old.media is not None or self.new.media is not None
        if old.format != new.format and not media:
            self.add(
                B if new.format else N,
                "format-changed",
                f"format {old.format!r} -> {new.format!r}",
                f"{at}/format",
                old.format,
                new.format,
            )

    def unmodelled(self, old: dict[str, Any], new: dict[str, Any], at: str) -> None:
        """Keywords the IR does not model: any change is reported, classified by kind."""
        for key in sorted((set(old) | set(new)) - _HANDLED):
            if old.get(key) != new.get(key) or (key in old) != (key in new):
                category = W if key in _ANNOTATIONS or key.startswith("x-") else B
                self.add(
                    category,
                    "constraint-changed" if category is B else "annotation-changed",
                    f"{key} {_shown(old.get(key), key in old)} -> "
                    f"{_shown(new.get(key), key in new)}"
                    + (" (not classified: treated as breaking)" if category is B else ""),
                    f"{at}/{key}",
                    old.get(key),
                    new.get(key),
                )

    def enum(self, old: Any, new: Any, at: str) -> None:
        if old == new:
            return
        pointer = at + "/enum"
        if old is None:
            self.add(B, "enum-added", f"now limited to {_shown(new)}", pointer, None, new)
        elif new is None:
            self.add(N, "enum-removed", "no longer limited to a list of values", pointer, old)
        else:
            removed = [v for v in old if v not in new]
            added = [v for v in new if v not in old]
            if removed:
                self.add(
                    B,
                    "enum-value-removed",
                    f"enum value(s) removed: {_shown(removed)}",
                    pointer,
                    removed,
                )
            if added:
                self.add(
                    N,
                    "enum-value-added",
                    f"enum value(s) added: {_shown(added)}",
                    pointer,
                    None,
                    added,
                )

    def bound(self, old: _Bound, new: _Bound, noun: str, side: str, at: str) -> None:
        if old == new or (old and new and old[0] == new[0]):
            return
        old_shown = old[1] if old else "none"
        new_shown = new[1] if new else "none"
        narrowed = new is not None and (old is None or new[0] > old[0])
        self.add(
            B if narrowed else N,
            f"{noun}-{'narrowed' if narrowed else 'widened'}",
            f"{side} {noun.replace('-', ' ')} bound {old_shown} -> {new_shown}",
            at,
            old_shown,
            new_shown,
        )

    def rules(self, old: Sequence[Rule], new: Sequence[Rule]) -> None:
        old_groups, new_groups = _rule_groups(old), _rule_groups(new)
        pointer = "/x-runcomfy-validations"
        for group in sorted(set(old_groups) | set(new_groups)):
            o, n = old_groups.get(group), new_groups.get(group)
            o_key, n_key = (_rule_tightness(o) if o else None), (_rule_tightness(n) if n else None)
            o_shown = f"{o.rule} {o.value:g}" if o else "none"
            n_shown = f"{n.rule} {n.value:g}" if n else "none"
            if o_key == n_key:
                if o and n and o.message != n.message:
                    self.add(
                        W, "rule-message-changed", f"message of rule {n_shown} changed",
                        pointer, o.message, n.message,
                    )  # fmt: skip
                continue
            tightened = n_key is not None and (o_key is None or n_key > o_key)
            self.add(
                B if tightened else N,
                "rule-tightened" if tightened else "rule-loosened",
                f"rule on {group[0]} {o_shown} -> {n_shown}",
                pointer,
                o_shown,
                n_shown,
            )


def _tightest(
    keyword: str, bounds: Sequence[tuple[str, int | float | None]], sign: float
) -> tuple[str, _Bound]:
    """The tightest of a node's bounds on one side, and the keyword the change is reported at
    (the inclusive one: the pointer stays put when a bound turns exclusive)."""
    found = [
        ((sign * float(value), name.startswith("exclusive")), f"{name} {value}")
        for name, value in bounds
        if value is not None
    ]
    return keyword, max(found) if found else None


def _range_lower(c: Constraints) -> tuple[str, _Bound]:
    bounds = (("minimum", c.minimum), ("exclusiveMinimum", c.exclusive_minimum))
    return _tightest("minimum", bounds, 1.0)


def _range_upper(c: Constraints) -> tuple[str, _Bound]:
    bounds = (("maximum", c.maximum), ("exclusiveMaximum", c.exclusive_maximum))
    return _tightest("maximum", bounds, -1.0)


def _length_lower(c: Constraints) -> tuple[str, _Bound]:
    return _tightest("minLength", (("minLength", c.min_length),), 1.0)


def _length_upper(c: Constraints) -> tuple[str, _Bound]:
    return _tightest("maxLength", (("maxLength", c.max_length),), -1.0)


def _items_lower(c: Constraints) -> tuple[str, _Bound]:
    return _tightest("minItems", (("minItems", c.min_items),), 1.0)


def _items_upper(c: Constraints) -> tuple[str, _Bound]:
    return _tightest("maxItems", (("maxItems", c.max_items),), -1.0)


def _rule_groups(rules: Sequence[Rule]) -> dict[tuple[str, str], Rule]:
    """The tightest rule per (metric, upper/lower)."""
    groups: dict[tuple[str, str], Rule] = {}
    for rule in rules:
        group = (rule.metric.value, "upper" if rule.operator.is_upper_bound else "lower")
        if group not in groups or _rule_tightness(rule) > _rule_tightness(groups[group]):
            groups[group] = rule
    return groups


def _rule_tightness(rule: Rule) -> tuple[float, bool]:
    value = float(rule.value)
    return (-value if rule.operator.is_upper_bound else value, rule.operator.is_strict)


def _match(
    old: Sequence[Any], new: Sequence[Any], by: Sequence[Callable[[Any], str]]
) -> list[tuple[Any, Any]]:
    """Pairs (old, new) in NEW's order, then the unmatched old ones as (old, None)."""
    left = list(old)
    pairs: list[tuple[Any, Any]] = [(None, n) for n in new]
    for key in by:
        for i, (o, n) in enumerate(pairs):
            if o is None and n is not None:
                found = next((c for c in left if key(c) == key(n)), None)
                if found is not None:
                    pairs[i] = (found, n)
                    left.remove(found)
    return pairs + [(o, None) for o in left]


def _input_changes(old: ModelSpec, new: ModelSpec) -> list[Change]:
    changes: list[Change] = []
    pairs = _match(old.fields, new.fields, (lambda f: f.wire_key, lambda f: f.python_name))
    for o, n in pairs:
        if o is None:
            category = B if n.required else N
            code = "required-property-added" if n.required else "property-added"
            what = "required property added" if n.required else "optional property added"
            changes.append(_whole(category, code, what, "input", n))
        elif n is None:
            changes.append(_whole(B, "property-removed", "property removed", "input", o))
        else:
            changes.extend(_FieldComparer(o, n).run())
    return changes


def _whole(
    category: Category, code: str, what: str, part: str, f: FieldSpec | OutputFieldSpec
) -> Change:
    return Change(
        category=category,
        code=code,
        message=f"{_label(f)}: {what}",
        part=part,
        wire_key=f.wire_key,
        python_name=f.python_name,
        pointer=join_pointer("/properties", f.wire_key),
        wire=category,
    )


def _output_changes(old: ModelSpec, new: ModelSpec) -> list[Change]:
    changes: list[Change] = []
    for o, n in _match(old.outputs, new.outputs, (lambda f: f.wire_key,)):
        if o is None:
            changes.append(_whole(N, "output-added", "output field added", "output", n))
        elif n is None:
            changes.append(_whole(B, "output-removed", "output field removed", "output", o))
        elif (o.json_type, o.item_type) != (n.json_type, n.item_type):
            old_type = o.json_type + (f"[{o.item_type}]" if o.item_type else "")
            new_type = n.json_type + (f"[{n.item_type}]" if n.item_type else "")
            change = _whole(
                B, "output-type-changed", f"output type {old_type} -> {new_type}", "output", n
            )
            changes.append(change)
        elif o.description != n.description:
            changes.append(
                _whole(W, "output-description-changed", "description changed", "output", n)
            )
    return changes


def compare(old: ModelSpec | None, new: ModelSpec | None) -> list[Change]:
    """Every change from ``old`` to ``new`` (None: the model does not exist on that side)."""
    if old is None and new is None:
        return []
    if old is None or new is None:
        model = new or old
        assert model is not None
        added = old is None
        return [
            Change(
                category=N if added else B,
                code="model-added" if added else "model-removed",
                message=f"model {model.model_id} {'added' if added else 'removed'}",
                part="model",
                wire=N if added else B,
            )
        ]
    changes: list[Change] = []
    if old.endpoint != new.endpoint:
        changes.append(
            Change(B, "endpoint-changed", f"endpoint {old.endpoint} -> {new.endpoint}", "model",
                   old=old.endpoint, new=new.endpoint, wire=B)
        )  # fmt: skip
    return changes + _input_changes(old, new) + _output_changes(old, new)
