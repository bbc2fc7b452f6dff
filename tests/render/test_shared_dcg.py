"""datamodel-code-generator runs once per distinct schema in a process (render.python.models):
the classes are the same source as a direct call under the model's own class name."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest

from generator.render.python import models
from generator.schema.documented import load_model_file
from generator.schema.normalize import normalize
from tests.support.paths import ROOT

SEEDS = sorted(p for p in (ROOT / "schemas").rglob("*.json") if not p.name.endswith(".names.json"))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_shared_classes_are_the_direct_calls_source(path: Path) -> None:
    spec = normalize(load_model_file(path))
    aliases = {f.wire_key: f.python_name for f in spec.fields}
    outputs = {o.wire_key: o.python_name for o in spec.outputs}
    for schema, name, names in (
        (models._input_schema_for_dcg(spec, "SomeInput"), "SomeInput", aliases),
        (models._output_schema_for_dcg(spec, "SomeOutput"), "SomeOutput", outputs),
    ):
        direct = ast.unparse(ast.parse(models._dcg(schema, name, names)))
        assert ast.unparse(models._dcg_tree(schema, name, names)) == direct
        # A second model with the same schema reuses the first's run, under its own name.
        other = {**copy.deepcopy(schema), "title": "Other"}
        again = ast.unparse(models._dcg_tree(other, "Other", names))
        assert again == ast.unparse(ast.parse(models._dcg(other, "Other", names)))


def test_a_schema_that_spells_the_placeholder_is_not_shared() -> None:
    schema = {
        "title": "Thing",
        "type": "object",
        "properties": {models._PLACEHOLDER: {"type": "string"}},
    }
    before = models._dcg_shared.cache_info().currsize
    tree = models._dcg_tree(schema, "Thing", {})
    assert models._dcg_shared.cache_info().currsize == before
    assert "class Thing(" in ast.unparse(tree)
