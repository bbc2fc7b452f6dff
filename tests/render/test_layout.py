"""The formatting step: generated Python is what a full black pass would make of it.

``generate`` runs black only over the statements of a bundled template's module that are one
line too long (generator/render/python/layout.py); these tests hold it to a full black pass:
over the whole corpus, over hostile schema text (tests/fuzz and test_python_escaping.py do so
too), and statement by statement.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

import black
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.output.build import build_outputs
from generator.render.python import layout
from generator.render.python.layout import BLACK_MODE, format_long_statements
from generator.render.templates import default_templates_dir, py_literal, py_str
from tests.support.layout import changed_by_black
from tests.support.paths import SCHEMAS

SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_corpus_modules_are_in_blacks_layout(corpus_generated: Path, shard: int) -> None:
    """Every model module of the corpus (a quarter per test, so they run in parallel)."""
    modules = sorted((corpus_generated / "python").rglob("*.py"))[shard::SHARDS]
    assert modules
    files = {str(path): path.read_text(encoding="utf-8") for path in modules}
    assert changed_by_black(files) == []


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_strings_are_spelled_as_black_spells_them(text: str) -> None:
    spelled = py_str(text)
    assert ast.literal_eval(spelled) == text
    assert black.format_str(f"x = {spelled}\n", mode=BLACK_MODE) == f"x = {spelled}\n"


@settings(max_examples=200, deadline=None)
@given(number=st.floats(allow_nan=False, allow_infinity=False) | st.integers())
def test_numbers_are_spelled_as_black_spells_them(number: float) -> None:
    spelled = py_literal(number)
    assert ast.literal_eval(spelled) == number
    assert black.format_str(f"x = {spelled}\n", mode=BLACK_MODE) == f"x = {spelled}\n"


LONG = ", ".join(f'"value-{i}"' for i in range(30))
MODULE = f'''class Holder(Base[{LONG}]):
    """A class."""

    def method(
        self,
        *,
        short: int = 1,
        choice: Literal[{LONG}] | NotGiven = NOT_GIVEN,
        other: Literal[{LONG}],
    ) -> None:
        if value in ({LONG}):
            items = [{LONG}]
        elif value not in ({LONG}):
            call(first, second, third, keyword={LONG!r})
        for item in ({LONG}):
            text = "a string that stays as it is however long it is, as black leaves strings alone"
        return function_with_a_long_name(argument_number_one, argument_number_two, three=3)


async def coroutine(first: Literal[{LONG}], second: int = 2) -> None:
    await something(first, second, {LONG})
'''


def test_long_statements_at_every_depth_match_a_full_black_pass() -> None:
    layout._LAID_OUT.clear()
    assert format_long_statements(MODULE, "m.py") == black.format_str(MODULE, mode=BLACK_MODE)
    # Again from what this process remembers: the same bytes.
    assert format_long_statements(MODULE, "m.py") == black.format_str(MODULE, mode=BLACK_MODE)


def test_a_statement_sharing_its_line_gets_the_module_formatted_whole() -> None:
    source = f"first = 1; second = [{LONG}]\n"
    assert format_long_statements(source, "m.py") == black.format_str(source, mode=BLACK_MODE)


def test_a_module_that_fits_is_left_as_it_is() -> None:
    source = "x = 1\n\n\ndef f() -> int:\n    return x\n"
    assert format_long_statements(source, "m.py") == source


def test_a_template_of_the_users_is_formatted_whole(tmp_path: Path) -> None:
    """A ``--templates`` template's layout is unknown: black formats its modules whole."""
    override = tmp_path / "templates" / "python"
    override.mkdir(parents=True)
    shutil.copy(default_templates_dir() / "python/models_init.py.jinja", override)
    text = (override / "models_init.py.jinja").read_text(encoding="utf-8")
    (override / "models_init.py.jinja").write_text(text + "\nLAYOUT = ( 1,2 )\n", encoding="utf-8")
    files = build_outputs(SCHEMAS, tmp_path / "templates")
    init = files["python/runcomfy_models/models/__init__.py"]
    assert "LAYOUT = (1, 2)\n" in init
    assert changed_by_black(files) == []


def test_nested_arrays_of_objects(tmp_path: Path) -> None:
    """A pointer built at run time (``"/prompt/" + str(i3) + "/prompt"``) is no literal: the
    validator once took it for one and crashed; its ``"/"`` is spelled as black spells it."""
    inner = {"type": "array", "items": {"type": "array"}, "minItems": 0}
    model = {
        "model_id": "fuzz/model/run",
        "endpoint": "https://model-api.runcomfy.net/v1/models/fuzz/model/run",
        "source": "test",
        "example": None,
        "input_schema": {
            "type": "object",
            "properties": {
                "prompt": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"prompt": inner}},
                }
            },
        },
        "output_schema": {"output": {"type": "object", "properties": {"x": {"type": "array"}}}},
    }
    path = tmp_path / "schemas/fuzz/model/run.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(model), encoding="utf-8")
    files = build_outputs(tmp_path / "schemas")
    assert '"/prompt/" + str(' in files["python/runcomfy_models/models/fuzz_model_run.py"]
    assert changed_by_black(files) == []


_TEXT = st.text(alphabet="ab 漢é\"'\\-", max_size=140)
_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,45}", fullmatch=True)
_PROPERTY = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "description": _TEXT,
            "enum": st.lists(
                st.text(alphabet="ab漢'\" ", min_size=1, max_size=14),
                min_size=1,
                max_size=14,
                unique=True,
            ),
            "maxLength": st.integers(1, 10**6),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["integer", "number"])},
        optional={
            "description": _TEXT,
            "minimum": st.integers(-(10**12), 0),
            "maximum": st.integers(1, 10**15),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("array"), "items": st.just({"type": "string"})},
        optional={"description": _TEXT, "maxItems": st.integers(1, 20)},
    ),
)


#: ``LAYOUT_EXAMPLES=500`` runs more cases with fresh randomness (CI: 25 fixed ones).
_EXAMPLES = int(os.environ.get("LAYOUT_EXAMPLES", "25"))


@settings(
    max_examples=_EXAMPLES,
    deadline=None,
    derandomize="LAYOUT_EXAMPLES" not in os.environ,
    database=None,
)
@given(properties=st.dictionaries(_KEY, _PROPERTY, min_size=1, max_size=4), data=st.data())
def test_schemas_near_the_line_length_are_in_blacks_layout(
    tmp_path_factory: pytest.TempPathFactory, properties: dict[str, object], data: st.DataObject
) -> None:
    """Names, descriptions, enums and bounds whose lines land on either side of 100 columns
    (wide characters count two): every generated module is what a full black pass makes."""
    required = data.draw(st.lists(st.sampled_from(sorted(properties)), unique=True))
    model = {
        "model_id": "layout/model-1/text-to-image",
        "endpoint": "https://model-api.runcomfy.net/v1/models/layout/model-1/text-to-image",
        "source": "test",
        "example": None,
        "input_schema": {"type": "object", "required": required, "properties": properties},
        "output_schema": {"output": {"type": "object", "properties": {"x": {"type": "string"}}}},
    }
    root = tmp_path_factory.mktemp("layout")
    path = root / "schemas/layout/model-1/text-to-image.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(model), encoding="utf-8")
    assert changed_by_black(build_outputs(root / "schemas")) == []


def test_bundled_templates_never_need_a_whole_module_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The point of the step: the bundled models and package index are formatted without
    black over a whole module (a fallback taken everywhere would pass every other test)."""
    from generator.render.python import package

    def whole_module(source: str, path: str) -> str:
        raise AssertionError(f"{path} was formatted whole")

    monkeypatch.setattr(layout, "format_python", whole_module)
    monkeypatch.setattr(package, "format_python", whole_module)
    files = build_outputs(SCHEMAS)
    assert any(path.endswith("/models/__init__.py") for path in files)
