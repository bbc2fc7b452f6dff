"""Python names for wire keys.

Rules, in order (documented in README "Python names"):

1. An override from the model's names file wins.
2. A key that is already a good snake_case identifier keeps it (``seed``, ``image_url``).
3. A ComfyUI node key (``143_image``, ``169_valuex170_value``) takes its name from its title when
   the title is ASCII (``Resolution (W:H)`` -> ``resolution``: bracketed parts are dropped),
   else the key without its node prefixes (``143_image`` -> ``image``).
4. Any other key is made snake_case (``imageURL`` -> ``image_url``); an ASCII title is used
   when the key yields nothing; otherwise the name is invented: ``field_<8 hex of sha1(key)>``.

A Python keyword or a name that would shadow a pydantic ``BaseModel`` attribute or a client
keyword argument gets a trailing ``_``. Collisions are settled without looking at node numbers,
so renumbering a workflow (``143_image`` -> ``212_image``) never renames anything: a good
snake_case key beats a derived name; the others, ordered by their key without node numbers and
then by document order, fall back to their key-derived name and then to ``_2``, ``_3`` ...
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.errors import InputError
from generator.runtime._input import InputModel
from generator.schema.ir import NameOrigin

__all__ = [
    "BUILTIN_NAMES",
    "MODEL_ATTRIBUTES",
    "RESERVED_NAMES",
    "NamedKey",
    "assign_names",
    "is_good_name",
    "snake_case",
    "strip_node_prefixes",
]

#: Attributes of pydantic's BaseModel (v2) that a field must not shadow, and the keyword
#: arguments the generated client's ``submit``/``run`` take besides the model's fields.
RESERVED_NAMES = frozenset(
    {
        # pydantic.BaseModel public attributes (v2.x, including deprecated v1 ones)
        "construct", "copy", "dict", "fields", "from_orm", "json", "parse_file",
        "parse_obj", "parse_raw", "schema", "schema_json", "update_forward_refs", "validate",
        # generated client keyword arguments and handle attributes
        "self", "cls", "payload", "options", "validate_input", "on_update", "timeout",
        "deadline", "request_id", "check_files", "wait_timeout", "include_cost",
        # what the bodies of submit/run call: a parameter of that name would shadow it (their
        # one local variable, ``_inputs``, cannot collide: no field name starts with ``_``)
        "given",
    }
)  # fmt: skip
#: Public attributes of the generated input models' base class (pydantic's plus ``to_wire``).
MODEL_ATTRIBUTES = frozenset(name for name in dir(InputModel) if not name.startswith("_"))
#: Names of Python builtins (``str``, ``int``, ``list``, ``type``, ``id`` ...): a field named
#: ``str`` would shadow the type its neighbours' annotations use in the class body.
BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))
#: snake_case that starts with a letter: pydantic treats ``_name`` as private, not a field.
_GOOD = re.compile(r"[a-z][a-z0-9_]*")
_NODE_KEY = re.compile(r"\d+_[A-Za-z0-9_]+?(?:x\d+_[A-Za-z0-9_]+?)*")
_NODE_PART = re.compile(r"x(?=\d+_)")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class NamedKey:
    wire_key: str
    python_name: str
    origin: NameOrigin
    deduplicated: bool


def is_good_name(name: str) -> bool:
    """A snake_case identifier usable as a pydantic field and a keyword argument."""
    return (
        bool(_GOOD.fullmatch(name))
        and not keyword.iskeyword(name)
        and not name.startswith("model_")
        and name not in RESERVED_NAMES
        and name not in BUILTIN_NAMES
        and name not in MODEL_ATTRIBUTES
    )


def snake_case(text: str) -> str:
    """ASCII snake_case of ``text``, or "" when nothing ASCII-alphanumeric is left."""
    text = _CAMEL.sub("_", text)
    words = re.findall(r"[A-Za-z0-9]+", text)
    return "_".join(words).lower()


def _is_node_key(key: str) -> bool:
    return bool(_NODE_KEY.fullmatch(key))


def strip_node_prefixes(key: str) -> str:
    """``143_image`` -> ``image``; ``169_valuex170_value`` -> ``value``; others: snake_case."""
    parts = [re.sub(r"^\d+_", "", part) for part in _NODE_PART.split(key)]
    unique = list(dict.fromkeys(p for p in parts if p))
    return snake_case("_".join(unique))


def _title_name(title: str | None) -> str:
    if not title or not title.isascii():
        return ""
    return snake_case(_BRACKETED.sub(" ", title))


def _make_usable(name: str) -> str:
    if name and name[0].isdigit():
        name = "n_" + name
    if name and not is_good_name(name):
        name += "_"
    return name


def _invented(key: str) -> str:
    return "field_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def _candidates(key: str, title: str | None) -> list[tuple[str, NameOrigin]]:
    """Names to try for ``key``, best first."""
    if _GOOD.fullmatch(key):
        base = [(key, NameOrigin.KEY)]
    elif _is_node_key(key):
        base = [(_title_name(title), NameOrigin.TITLE)]
        base.append((strip_node_prefixes(key), NameOrigin.KEY_STRIPPED))
    else:
        base = [(snake_case(key), NameOrigin.KEY_STRIPPED), (_title_name(title), NameOrigin.TITLE)]
    usable = [(_make_usable(name), origin) for name, origin in base if name]
    return [*usable, (_invented(key), NameOrigin.INVENTED)]


def _renumbering_proof_order(key: str) -> str:
    return _NODE_PART.sub("x", re.sub(r"(^|x)\d+_", r"\1", key))


def assign_names(
    keys: Sequence[tuple[str, str | None]],
    overrides: Mapping[str, str],
    file: str,
    names_file: str,
) -> list[NamedKey]:
    """Name every ``(wire_key, title)``, in the given (document) order."""
    unknown = sorted(set(overrides) - {key for key, _ in keys})
    if unknown:
        raise InputError(names_file, f"overrides unknown wire key {unknown[0]!r}", "")
    for key, name in overrides.items():
        if (
            not name.isidentifier()
            or not name.isascii()
            or name.startswith("_")
            or name.startswith("model_")  # pydantic's namespace, as for derived names
            or keyword.iskeyword(name)
            or name in RESERVED_NAMES
            or name in BUILTIN_NAMES
            or name in MODEL_ATTRIBUTES
        ):
            raise InputError(names_file, f"{name!r} is not a usable Python name", "/" + key)
    if len(set(overrides.values())) != len(overrides):
        raise InputError(names_file, "two keys are given the same Python name", "")

    position = {key: index for index, (key, _) in enumerate(keys)}
    candidates = {key: _candidates(key, title) for key, title in keys}
    taken: dict[str, str] = {name: key for key, name in overrides.items()}
    chosen: dict[str, NamedKey] = {
        key: NamedKey(key, name, NameOrigin.OVERRIDE, False) for key, name in overrides.items()
    }
    # Good snake_case keys first (they keep their names), then the rest in an order that does
    # not depend on node numbers.
    pending = sorted(
        (key for key, _ in keys if key not in overrides),
        key=lambda k: (
            candidates[k][0][1] is not NameOrigin.KEY,
            _renumbering_proof_order(k),
            position[k],
        ),
    )
    for key in pending:
        options = candidates[key]
        # An invented name is the last resort, for keys that yield no name at all; a key
        # whose names are taken gets a numbered one instead.
        if len(options) > 1:
            options = options[:-1]
        free = [(name, origin) for name, origin in options if name not in taken]
        if free:
            name, origin = free[0]
            deduplicated = (name, origin) != options[0]
        else:
            stem, origin = options[0]
            suffix = 2
            while f"{stem}_{suffix}" in taken:
                suffix += 1
            name, deduplicated = f"{stem}_{suffix}", True
        taken[name] = key
        chosen[key] = NamedKey(key, name, origin, deduplicated)
    return [chosen[key] for key, _ in keys]
