"""``check_files``: HEAD + a ranged GET give size and pixels; rules are enforced before submit."""

from __future__ import annotations

import base64
import logging

import httpx
import pytest

from generator.runtime import FileInfo, InputValidationError, _probe
from generator.runtime._package import PACKAGE
from generator.serve.media import png_bytes

from .conftest import Script, TinyInput, make_client, ok

IMAGE = "https://files.test/in.png"


class WithImage(TinyInput):
    image_url: str


def _image_host(script: Script, width: int) -> bytes:
    data = png_bytes(width, 40)

    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(200, headers={"content-length": str(len(data))})
        first, last = request.headers["range"].removeprefix("bytes=").split("-")
        part = data[int(first) : int(last) + 1]
        return httpx.Response(
            206, content=part, headers={"content-range": f"bytes {first}-{last}/{len(data)}"}
        )

    script.on("file", serve)
    return data


def test_a_small_image_is_refused_before_paying(script: Script) -> None:
    _image_host(script, width=64)
    client, endpoint = make_client(script)
    with client, pytest.raises(InputValidationError) as caught:
        endpoint._submit(WithImage(prompt="x", image_url=IMAGE), check_files=True)
    assert [(i.pointer, i.rule) for i in caught.value.issues] == [("/image_url", "width_pixels>=")]
    assert script.requests("submit") == []
    assert [r.method for r in script.requests("file")] == ["HEAD", "GET"]
    assert script.requests("file")[1].headers["range"] == f"bytes=0-{_probe.HEADER_BYTES - 1}"
    assert all("authorization" not in r.headers for r in script.requests("file"))


def test_a_large_enough_image_is_submitted(script: Script) -> None:
    _image_host(script, width=400)
    script.on("submit", ok({"request_id": "r"}))
    client, endpoint = make_client(script, check_files=True)  # client-wide this time
    with client:
        assert endpoint._submit(WithImage(prompt="x", image_url=IMAGE)).request_id == "r"


def test_an_unreachable_file_stays_unchecked_for_the_server(script: Script) -> None:
    script.on("file", httpx.Response(403))
    script.on("submit", ok({"request_id": "r"}))
    client, endpoint = make_client(script, check_files=True)
    with client:
        assert endpoint._submit(WithImage(prompt="x", image_url=IMAGE)).request_id == "r"


def test_without_check_files_one_note_per_process(
    script: Script, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_probe, "_noted", False)
    script.on("submit", ok({"request_id": "r"}))
    client, endpoint = make_client(script)
    with client, caplog.at_level(logging.WARNING, logger=PACKAGE):
        for _ in range(3):
            endpoint._submit(WithImage(prompt="x", image_url=IMAGE))
    notes = [r for r in caplog.records if "check_files=True" in r.getMessage()]
    assert len(notes) == 1
    assert script.requests("file") == []  # nothing probed unless asked


def test_a_data_uri_is_measured_from_its_own_bytes() -> None:
    from generator.runtime._validation import inline_file_info

    png = png_bytes(30, 20)
    encoded = base64.b64encode(png).decode()
    assert inline_file_info("data:image/png;base64," + encoded) == FileInfo(len(png), 30, 20)
    # A large reference is counted, not decoded: only its header is read.
    clip = "data:video/mp4;base64," + "A" * 4_000_000
    assert inline_file_info(clip) == FileInfo(3_000_000, None, None)
    assert inline_file_info("data:,a%20b") == FileInfo(3, None, None)
    for broken in ("data:image/png;base64,abc", "data:image/png;base64,****", "data:x"):
        assert inline_file_info(broken) is None
    assert inline_file_info("https://files.test/in.png") is None


def test_file_rules_of_a_data_uri_are_checked_without_check_files() -> None:
    from generator.runtime._validation import FileRule, check_files

    rule = FileRule("width_pixels", ">", 320.0, "too small")
    small = "data:image/png;base64," + base64.b64encode(png_bytes(64, 64)).decode()
    [issue] = check_files(small, (rule,), None, "/image_url", "image_url")
    assert (issue.severity, issue.rule) == ("error", "width_pixels>")
    large = "data:image/png;base64," + base64.b64encode(png_bytes(400, 64)).decode()
    assert check_files(large, (rule,), None, "/image_url", "image_url") == []
    # A data: URI that does not decode is unknown: unchecked, never passed.
    [unknown] = check_files("data:image/png;base64,***", (rule,), None, "/x", None)
    assert unknown.severity == "unchecked"
