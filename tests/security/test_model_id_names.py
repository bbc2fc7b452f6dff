"""A model id may not make a generated name shadow the client's own attributes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from generator.output.build import build_outputs
from generator.output.tree import write_tree
from generator.render.naming import module_name
from tests.support.corpus import STANDARD_OUTPUT_SCHEMA


def test_a_model_called_base_url_keeps_the_clients_base_url(tmp_path: Path) -> None:
    assert module_name("base/url") == "base_url_model"
    model = {
        "model_id": "base/url",
        "endpoint": "https://model-api.runcomfy.net/v1/models/base/url",
        "source": "p.txt",
        "example": None,
        "input_schema": {"type": "object", "properties": {"prompt": {"type": "string"}}},
        "output_schema": STANDARD_OUTPUT_SCHEMA,
    }
    path = tmp_path / "schemas" / "base" / "url.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(model), encoding="utf-8")
    write_tree(tmp_path / "out", build_outputs(tmp_path / "schemas"))
    check = (
        "from runcomfy_models import RunComfy\n"
        "c = RunComfy(token='t', base_url='http://127.0.0.1:1')\n"
        "assert c.base_url == 'http://127.0.0.1:1', c.base_url\n"
        "assert c.base_url_model.model_id == 'base/url'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path / "out" / "python",
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
