"""The Markdown docs: content, escaping of hostile schema text, runnable examples, determinism."""

from __future__ import annotations

import ast
import json
import os
import random
import re
import shlex
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from generator.errors import InputError
from generator.output.build import build_outputs
from generator.render.docs import render_docs, rule_text, task_of
from generator.render.examples import example_payload
from generator.render.markdown import md, md_code, md_fence, sh_quote
from generator.render.naming import class_prefix, module_name
from generator.render.templates import make_environment
from generator.schema.documented import DocumentedModel, discover_models, load_model_file
from generator.schema.ir import Metric, ModelSpec, Operator, Rule
from generator.schema.normalize import normalize
from tests.support.corpus import STANDARD_OUTPUT_SCHEMA, corpus_model
from tests.support.paths import ROOT

DREAMINA = "bytedance/dreamina-3-0/pro/image-to-video"
HOSTILE = 'a | b `c` ``d`` <script>alert(1)</script> {{ x }} """ \'q\' *e* _u_ [l](x)\n# h\n- li'


def bundled_specs() -> list[ModelSpec]:
    return [normalize(load_model_file(path)) for path in discover_models(ROOT / "schemas")]


def hostile_spec() -> ModelSpec:
    model_id = "evil/model-1/text-to-image"
    return normalize(
        DocumentedModel(
            model_id=model_id,
            endpoint=f"https://model-api.runcomfy.net/v1/models/{model_id}",
            source="test",
            example={"prompt": HOSTILE, "style": "a|b"},
            input_schema={
                "type": "object",
                "description": HOSTILE,
                "required": ["prompt", "image"],
                "properties": {
                    "prompt": {"title": HOSTILE, "description": HOSTILE, "type": "string"},
                    "style": {"type": "string", "enum": ["a|b", HOSTILE], "default": HOSTILE},
                    "image": {
                        "type": "string",
                        "format": "image_uri",
                        "validations": [
                            {
                                "validation_rule": "file_size_mb<",
                                "validation_value": 4.7,
                                "validation_error": HOSTILE,
                            }
                        ],
                    },
                },
            },
            output_schema=STANDARD_OUTPUT_SCHEMA,
            file="evil.json",
        )
    )


#: Markup the templates themselves put in cells; anything else came from schema text.
_INLINE_TAGS = {"code", "strong", "a"}


class _Tables(HTMLParser):
    """Rows of every table cell's text (``<br>`` read as a newline)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif self._cell is not None and tag not in _INLINE_TAGS:
            raise AssertionError(f"unexpected HTML tag <{tag}> inside a table cell")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rendered_tables(markdown: str) -> list[list[str]]:
    parser = _Tables()
    parser.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    return parser.rows


def code_block(page: str, language: str) -> str:
    match = re.search(rf"^(`{{3,}}){language}\n(.*?)^\1$", page, re.S | re.M)
    assert match, f"no {language} block"
    return match.group(2)


def python_call_arguments(code: str) -> dict[str, Any]:
    tree = ast.parse(code)  # the example is valid Python whatever the schema text
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.keywords)
    return {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}


def curl_body(code: str) -> dict[str, Any]:
    words = shlex.split(code.replace("\\\n", " "))
    assert words[:3] == ["curl", "-X", "POST"]
    body: dict[str, Any] = json.loads(words[words.index("-d") + 1])
    return body


# --- escaping helpers -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [HOSTILE, "x|y", "`", "``a`", " lead", "1. item", "- item", ""])
def test_md_and_md_code_show_text_literally_in_a_table_cell(text: str) -> None:
    table = f"| a | b |\n|---|---|\n| {md(text) or ' '} | {md_code(text)} |\n"
    rows = rendered_tables(table)
    assert len(rows) == 2 and len(rows[1]) == 2
    assert rows[1][0] == text.strip(" ")
    # A code span cannot hold a line break; everything else is kept.
    assert rows[1][1] == (text.replace("\n", " ") or " ")


@pytest.mark.parametrize("unseen", ["\u202e", "\u2066", "\u200f", "\x1b", "\x00", "\x85"])
def test_characters_that_are_not_seen_are_shown_by_code_point(unseen: str) -> None:
    """A key such as ``"admin\u202e"`` must not read backwards ("Trojan Source") in docs."""
    text = f"a{unseen}b"
    name = f"U+{ord(unseen):04X}"
    for rendered in (md(text), md_code(text)):
        assert unseen not in rendered and name in rendered
    assert md("tab\there\r\nnext") == "tab\there<br>next"  # tabs and line ends keep meaning


def test_md_fence_is_longer_than_any_backtick_run() -> None:
    assert md_fence("plain") == "```"
    assert md_fence("a ```` b", "``") == "`````"


def test_sh_quote_round_trips_through_a_posix_shell_parser() -> None:
    for text in [HOSTILE, "'", "it's", "$HOME `id` \\n"]:
        assert shlex.split(sh_quote(text)) == [text]


def test_rule_text_names_metric_operator_value_and_message() -> None:
    rule = Rule(Metric.FILE_SIZE_MB, Operator.LT, 4.7, "File size must be less than 4.7 MB.")
    assert rule_text(rule) == 'file size < 4.7 MB — "File size must be less than 4.7 MB."'
    ratio = Rule(Metric.ASPECT_RATIO, Operator.GT, 0.33, "Too narrow.")
    assert rule_text(ratio) == 'aspect ratio (width/height) > 0.33 — "Too narrow."'


@pytest.mark.parametrize(
    ("model_id", "task"),
    [
        ("kling/kling-3.0/4k/image-to-video", "image-to-video"),
        ("bytedance/seedance-2.5/image-to-video/1080p", "image-to-video"),
        ("qwen/qwen-image-3.0/pro/edit", "edit"),
        ("bytedance/seedance-2.0/fast", None),
        ("owner/text-to-image", None),  # the second segment is the model's name
    ],
)
def test_task_of_reads_the_task_segment(model_id: str, task: str | None) -> None:
    assert task_of(model_id) == task


# --- pages ----------------------------------------------------------------------------------


def test_model_page_content() -> None:
    page = render_docs(bundled_specs(), make_environment())[f"docs/{DREAMINA}.md"]
    assert "`POST` `https://model-api.runcomfy.net/v1/models/bytedance/dreamina-3-0/pro/" in page
    assert "its id names the task `image-to-video`" in page
    assert 'file size < 4.7 MB — "File size must be less than 4.7 MB."' in page
    assert "[All models](../../../index.md)" in page
    rows = rendered_tables(page)
    header = ["Python name", "Wire key", "Type", "Required", "Default", "Constraints"]
    assert rows[0][:6] == header
    frames = next(r for r in rows if r[0] == "frames")
    assert frames[1:6] == ["frames", "integer", "no", "121", "one of 121, 241"]
    image_urls = next(r for r in rows if r[0] == "image_urls")
    assert image_urls[2] == "array of string (image URL)"
    assert image_urls[5] == "exactly 1 items"
    assert image_urls[6].count("\n") == 6  # seven rules, one per line
    assert ["video", "video", "string (URL)", "単一動画 URL"] in rows


@pytest.mark.parametrize("spec", bundled_specs(), ids=lambda s: s.model_id)
def test_examples_are_runnable_and_match_the_payload(spec: ModelSpec) -> None:
    page = render_docs([spec], make_environment())[f"docs/{spec.model_id}.md"]
    payload = example_payload(spec)
    by_key = {f.wire_key: f.python_name for f in spec.fields}
    python = code_block(page, "python")
    assert "from runcomfy_models import RunComfy" in python
    assert f"result = client.{module_name(spec.model_id)}.run(" in python
    assert python_call_arguments(python) == {by_key[k]: v for k, v in payload.items()}
    assert curl_body(code_block(page, "sh")) == payload


def test_hostile_schema_text_stays_text() -> None:
    spec = hostile_spec()
    files = render_docs([spec], make_environment())
    page = files["docs/evil/model-1/text-to-image.md"]
    rendered = MarkdownIt("commonmark").enable("table").render(page)
    for markup in ("<script>", "<h1>h", "<em>", '<a href="x"'):
        assert markup not in rendered, markup
    # The description paragraph shows the text, not a heading or a list.
    assert "<li>" not in rendered.split("<h2>")[0]
    rows = rendered_tables(page)
    assert all(len(row) == len(rows[0]) for row in rows[:4])  # no cell split by "|"
    prompt = next(r for r in rows if r[0] == "prompt")
    assert prompt[7] == f"{HOSTILE}\n{HOSTILE}"
    style = next(r for r in rows if r[0] == "style")
    assert style[4] == json.dumps(HOSTILE)  # the default, as JSON
    assert style[5] == f"one of {json.dumps('a|b')}, {json.dumps(HOSTILE)}"
    image = next(r for r in rows if r[0] == "image")
    assert image[6] == f'file size < 4.7 MB — "{HOSTILE}"'
    # The examples still carry the hostile values exactly.
    payload = example_payload(spec)
    assert payload["prompt"] == HOSTILE
    assert python_call_arguments(code_block(page, "python"))["prompt"] == HOSTILE
    assert curl_body(code_block(page, "sh")) == payload
    index_rows = rendered_tables(files["docs/index.md"])
    assert index_rows[1][0] == "evil/model-1/text-to-image"


def test_backticks_in_values_lengthen_the_code_fence() -> None:
    spec = hostile_spec()
    spec = ModelSpec(**{**spec.__dict__, "example": {"prompt": "```\nrm -rf /\n````"}})
    page = render_docs([spec], make_environment())["docs/evil/model-1/text-to-image.md"]
    assert "`````python" in page
    assert python_call_arguments(code_block(page, "python"))["prompt"] == "```\nrm -rf /\n````"


def test_output_is_deterministic_and_order_independent(corpus: list[dict[str, Any]]) -> None:
    specs = [normalize(corpus_model(entry)) for entry in corpus]
    first = render_docs(specs, make_environment())
    shuffled = list(specs)
    random.Random(7).shuffle(shuffled)
    assert render_docs(shuffled, make_environment()) == first
    assert len(first) == len(specs) + 1
    index_rows = rendered_tables(first["docs/index.md"])
    ids = [row[0] for row in index_rows[1:]]
    assert ids == sorted(spec.model_id for spec in specs)


def test_every_corpus_page_has_well_formed_tables(corpus: list[dict[str, Any]]) -> None:
    specs = [normalize(corpus_model(entry)) for entry in corpus]
    files = render_docs(specs, make_environment())
    for spec in specs:
        page = files[f"docs/{spec.model_id}.md"]
        rows = rendered_tables(page)
        parameters = [r for r in rows if len(r) == 8]
        assert len(parameters) == len(spec.fields) + 1, spec.model_id
        assert all(len(r) in (4, 8) for r in rows), spec.model_id
        assert curl_body(code_block(page, "sh")) == example_payload(spec)


def test_templates_can_be_overridden_by_file_name(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md.jinja").write_text(
        "{% for page in pages %}{{ page.model_id|md_code }}\n{% endfor %}", encoding="utf-8"
    )
    files = render_docs(bundled_specs(), make_environment(tmp_path))
    assert files["docs/index.md"].splitlines()[0] == "`bytedance/dreamina-3-0/pro/image-to-video`"
    assert files[f"docs/{DREAMINA}.md"].startswith("# `bytedance/")  # model page: bundled


def test_duplicate_model_ids_are_refused() -> None:
    spec = bundled_specs()[0]
    with pytest.raises(InputError, match="also defined in"):
        render_docs([spec, spec], make_environment())


_CHECK_AGAINST_PACKAGE = """
import inspect, json, sys, importlib
import runcomfy_models
for case in json.load(sys.stdin):
    module = importlib.import_module("runcomfy_models.models." + case["module"])
    endpoint = getattr(runcomfy_models.RunComfy(token="t"), case["module"])
    inspect.signature(endpoint.run).bind(**case["kwargs"])
    wire = getattr(module, case["prefix"] + "Input")(**case["kwargs"]).to_wire()
    assert wire == case["payload"], (case["module"], wire)
    errors = [i for i in module.validate(wire) if i.is_error]
    assert not errors, (case["module"], errors)
print("ok")
"""


def test_python_examples_fit_the_generated_package(tmp_path: Path) -> None:
    """The docs' call works with the generated client: same wire payload, no validation error."""
    files = build_outputs(ROOT / "schemas")
    for path, text in files.items():
        if path.startswith("python/"):
            target = tmp_path / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    cases = []
    for spec in bundled_specs():
        page = files[f"docs/{spec.model_id}.md"]
        cases.append(
            {
                "module": module_name(spec.model_id),
                "prefix": class_prefix(spec.model_id),
                "kwargs": python_call_arguments(code_block(page, "python")),
                "payload": curl_body(code_block(page, "sh")),
            }
        )
    completed = subprocess.run(
        [sys.executable, "-c", _CHECK_AGAINST_PACKAGE],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "python")},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("ok")
