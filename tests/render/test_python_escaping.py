"""Schema text reaches generated Python only escaped: hostile strings round-trip as data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from generator.output.build import build_outputs
from generator.output.tree import write_tree
from tests.support.layout import changed_by_black

HOSTILE = 'a"b\'c """ \'\'\' \\ {{ x }} {% y %}\nimport os; os.system("echo pwned")  # é\u2028'
#: Docstring breakers: a closing triple quote, a trailing backslash and quote, NUL, line and
#: paragraph separators, a bidi override, a lone surrogate-free astral character.
HOSTILE_DOC = 'x""" + 1 \\N{BULLET} \x00 \u2028 \u2029 \u202e \U0001f600 \\ "'


def test_hostile_schema_text_round_trips(tmp_path: Path) -> None:
    model = {
        "model_id": "evil/quotes-1/text-to-image",
        "endpoint": "https://model-api.runcomfy.net/v1/models/evil/quotes-1/text-to-image",
        "source": "test",
        "example": None,
        "input_schema": {
            "type": "object",
            "required": ["prompt"],
            "properties": {
                "prompt": {"type": "string", "title": HOSTILE, "description": HOSTILE_DOC},
                "style": {"type": "string", "enum": [HOSTILE, "plain"], "default": HOSTILE},
                'weird"key\\': {"type": "string", "default": HOSTILE},
            },
        },
        "output_schema": {
            "output": {"type": "object", "properties": {"image": {"type": "string"}}}
        },
    }
    schemas = tmp_path / "schemas"
    path = schemas / "evil/quotes-1/text-to-image.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(model), encoding="utf-8")
    out = tmp_path / "generated"
    files = build_outputs(schemas)
    assert changed_by_black(files) == []  # hostile text in black's layout too
    write_tree(out, files)
    check = f"""
import json
from runcomfy_models.models import evil_quotes_1_text_to_image as m
hostile = {HOSTILE!r}
hostile_doc = {HOSTILE_DOC!r}
fields = m.EvilQuotes1TextToImageInput.model_fields
assert fields["prompt"].title == hostile and fields["prompt"].description == hostile_doc
assert m.INPUT_SCHEMA["properties"]["style"]["default"] == hostile
assert m.INPUT_SCHEMA["properties"]["style"]["enum"][0] == hostile
# Docstrings hold the schema text as data (whitespace runs folded to one space).
folded = " ".join(hostile_doc.split())
for method in (m.EvilQuotes1TextToImageClient.run, m.EvilQuotes1TextToImageAsyncClient.submit):
    assert folded.rstrip('"') in " ".join(method.__doc__.split()), method.__doc__
assert "\\x00" in m.EvilQuotes1TextToImageClient.run.__doc__
assert "\\u202e" in m.EvilQuotes1TextToImageClient.run.__doc__
wire = m.EvilQuotes1TextToImageInput.model_validate({{"prompt": hostile, "style": hostile,
                                                      'weird"key\\\\': "v"}}).to_wire()
assert wire == {{"prompt": hostile, "style": hostile, 'weird"key\\\\': "v"}}, wire
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=out / "python",
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"
