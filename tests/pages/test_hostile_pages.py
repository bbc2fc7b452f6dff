"""Hostile pages on import: look-alike and names-file ids, huge pages, a write failing late."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from generator.errors import InputError
from generator.limits import MAX_PAGE_BYTES
from generator.schema.documented import check_model_id
from tests.support.cli import run

SCHEMA = {"type": "object", "properties": {"prompt": {"type": "string"}}}
OUTPUT = {"output": {"type": "object", "properties": {"image": {"type": "string"}}}}


def page(tmp_path: Path, model_id: str, name: str, schema: Any = SCHEMA, tail: str = " ") -> Path:
    text = (
        f"curl --url https://model-api.runcomfy.net/v1/models/{model_id}{tail}--data '{{}}'"
        f"{json.dumps(schema)}{json.dumps(OUTPUT)}"
    )
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(
    "model_id",
    [
        "acme/model/im\u0430ge",  # Cyrillic a
        "acme/m\u043edel/image",  # Cyrillic o
        "acme/model/image\u200b",  # zero-width space
        "\uff41cme/model/image",  # fullwidth a
    ],
)
def test_look_alike_ids_are_refused_not_cut(tmp_path: Path, model_id: str) -> None:
    schemas = tmp_path / "schemas"
    code, _, _ = run("import", str(page(tmp_path, "acme/model/im", "a.txt")), "--schemas-dir",
                     str(schemas))  # fmt: skip
    assert code == 0
    before = snapshot(schemas)
    code, stdout, stderr = run(
        "import", str(page(tmp_path, model_id, "b.txt")), "--schemas-dir", str(schemas)
    )
    assert code == 2 and stdout == "" and stderr.count("\n") == 1, stderr
    assert "look-alike" in stderr and "U+" in stderr
    assert snapshot(schemas) == before


def test_prose_glued_to_the_url_ends_the_id(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    glued = page(tmp_path, "acme/model/image-to-video", "ja.txt", tail="\u3002\u6b21\u306b ")
    code, _, stderr = run("import", str(glued), "--schemas-dir", str(schemas))
    assert code == 0, stderr
    assert (schemas / "acme/model/image-to-video.json").is_file()


@pytest.mark.parametrize("model_id", ["acme/x.names", "acme/model/X.NAMES", "acme/a.names"])
def test_an_id_that_would_be_a_names_file_is_refused(tmp_path: Path, model_id: str) -> None:
    code, _, stderr = run(
        "import", str(page(tmp_path, model_id, "p.txt")), "--schemas-dir",
        str(tmp_path / "schemas"),
    )  # fmt: skip
    assert code == 2 and "names file" in stderr and stderr.count("\n") == 1
    assert not (tmp_path / "schemas").exists()


def test_the_id_validator_is_one_function() -> None:
    assert check_model_id("acme/model/image-to-video", "f") == ["acme", "model", "image-to-video"]
    for bad in ("a", "a/../b", "a/-b", "a/.b", "a//b", "a/b c", "a/x.names", "a/" + "b" * 300):
        with pytest.raises(InputError):
            check_model_id(bad, "f")


def test_pages_past_the_size_limit_are_refused_without_reading_them(tmp_path: Path) -> None:
    big = page(tmp_path, "acme/model/run", "big.txt")
    big.write_text(big.read_text("utf-8") + " " * MAX_PAGE_BYTES, encoding="utf-8")
    for path in (big, Path("/dev/zero")):
        code, stdout, stderr = run("import", str(path), "--schemas-dir", str(tmp_path / "s"))
        assert code == 2 and stdout == "" and stderr.count("\n") == 1, stderr
        assert "larger than 1,048,576 bytes" in stderr


def test_a_write_failing_late_leaves_every_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = tmp_path / "schemas"
    first = page(tmp_path, "acme/one/run", "one.txt")
    code, _, _ = run("import", str(first), "--schemas-dir", str(schemas))
    assert code == 0
    before = snapshot(schemas)
    changed = {"type": "object", "properties": {"prompt": {"type": "string", "maxLength": 9}}}
    pages = [
        page(tmp_path, "acme/one/run", "one-v2.txt", schema=changed),
        page(tmp_path, "acme/two/run", "two.txt"),
        page(tmp_path, "brand/new/model", "three.txt"),
    ]
    real_replace = os.replace
    calls: list[str] = []

    def failing_replace(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 3:  # the last page: the two before it are already in place
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr("generator.fsutil.os.replace", failing_replace)
    code, stdout, stderr = run("import", *map(str, pages), "--schemas-dir", str(schemas))
    monkeypatch.setattr("generator.fsutil.os.replace", real_replace)
    assert len(calls) >= 3
    assert code == 2 and stdout == "" and stderr.count("\n") == 1, stderr
    assert "No space left on device" in stderr
    assert snapshot(schemas) == before  # old content back, new files and folders gone


@pytest.mark.parametrize(
    ("data", "schema", "words"),
    [
        # valid JSON that Python cannot read: an internal error naming no file, before
        ("{}", {**SCHEMA, "default": "[" * 100_000 + "]" * 100_000}, "nested too deeply"),
        ('{"prompt": ' + "1" * 5000 + "}", SCHEMA, "too many digits"),
        # read, but what generate then refused: import wrote the file all the same
        ('{"prompt": NaN}', SCHEMA, "#/example/prompt: nan is not a JSON number"),
        ('{"prompt": "\\ud800"}', SCHEMA, "#/example/prompt: a string holding half a UTF-16"),
        ("{}", {**SCHEMA, "default": "DEEP"}, "#/input_schema/default/0/0/0/0"),
    ],
    ids=["nested-100000", "5000-digits", "nan", "lone-surrogate", "nested-40"],
)
def test_page_json_no_model_file_can_hold_is_refused(
    tmp_path: Path, data: str, schema: Any, words: str
) -> None:
    text = (
        "curl --url https://model-api.runcomfy.net/v1/models/acme/model/image "
        f"--data '{data}' {json.dumps(schema)} {json.dumps(OUTPUT)}"
    )
    text = text.replace('"DEEP"', "[" * 40 + "]" * 40).replace('"[', "[").replace(']"', "]")
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    schemas = tmp_path / "schemas"
    code, stdout, stderr = run("import", str(path), "--schemas-dir", str(schemas))
    assert (code, stdout) == (2, ""), stderr
    assert stderr.startswith(f"error: {path}") and stderr.count("\n") == 1, stderr
    assert words in stderr, stderr
    assert not schemas.exists()


def test_a_hostile_key_cannot_forge_import_output_lines(tmp_path: Path) -> None:
    """The "changed:" line lists the changed pointers: a key holding a newline printed a line
    of its own (``new: forged/model -> ...``) and escapes reached the terminal."""
    schemas = tmp_path / "schemas"
    code, _, _ = run("import", str(page(tmp_path, "acme/model/image", "a.txt")), "--schemas-dir",
                     str(schemas))  # fmt: skip
    assert code == 0
    key = "k\nnew: forged/model -> /etc/passwd (from x)\x1b[2J"
    schema = {"type": "object", "properties": {"prompt": {"type": "string"}, key: {}}}
    changed = page(tmp_path, "acme/model/image", "b.txt", schema)
    code, stdout, stderr = run("import", str(changed), "--schemas-dir", str(schemas))
    assert code == 0, stderr
    assert not any(line.startswith("new: forged") for line in stdout.splitlines()), stdout
    assert all(line.isprintable() for line in stdout.splitlines()), stdout
