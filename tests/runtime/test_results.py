"""A completed job's result is never lost; ``save()`` never overwrites or follows a link."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.runtime import APIConnectionError, DownloadTooLargeError, ProtocolError, Result

from .conftest import Script, TinyInput, TinyOutput, make_async_client, make_client, ok

RID = "req-9"
URLS = ["https://cdn.test/out/video.mp4", "https://cdn.test/other/video.mp4"]


def _result(script: Script, output: Any, **options: Any) -> Result[TinyOutput]:
    script.on("submit", ok({"request_id": RID}))
    script.on("result", ok({"request_id": RID, "status": "completed", "output": output}))
    # The client stays open: save() downloads through it.
    _client, endpoint = make_client(script, **options)
    return endpoint._run(TinyInput(prompt="x"))


def test_malformed_pieces_become_warnings_not_a_lost_result(script: Script) -> None:
    output = {"images": ["https://a.test/1.png", None, 7, "https://a.test/2.png"], "image": 3}
    result = _result(script, output)
    assert result.output.images == ["https://a.test/1.png", "https://a.test/2.png"]
    assert result.output.image is None
    assert len(result.warnings) == 3 and all("left out" in w for w in result.warnings)
    assert result.raw["output"] == output  # the server's answer, whole


def test_an_output_that_is_not_an_object_still_gives_a_result(script: Script) -> None:
    result = _result(script, ["https://a.test/1.png"])
    assert result.warnings and result.urls() == ["https://a.test/1.png"]


def _files(script: Script, bodies: dict[str, bytes]) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bodies[str(request.url)])

    script.on("file", serve)


def test_save_names_files_by_request_index_and_name(script: Script, tmp_path: Path) -> None:
    _files(script, {URLS[0]: b"first", URLS[1]: b"second"})
    result = _result(script, {"images": URLS})
    saved = result.save(tmp_path)
    assert [p.name for p in saved] == [f"{RID}-0-video.mp4", f"{RID}-1-video.mp4"]
    assert [p.read_bytes() for p in saved] == [b"first", b"second"]
    assert sorted(os.listdir(tmp_path)) == sorted(p.name for p in saved)  # no temp debris
    assert all("authorization" not in r.headers for r in script.requests("file"))


def test_save_never_overwrites_unless_asked(script: Script, tmp_path: Path) -> None:
    _files(script, {URLS[0]: b"new", URLS[1]: b"new"})
    result = _result(script, {"images": URLS})
    (tmp_path / f"{RID}-1-video.mp4").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        result.save(tmp_path)
    assert script.requests("file") == []  # refused before downloading anything
    assert (tmp_path / f"{RID}-1-video.mp4").read_bytes() == b"mine"
    result.save(tmp_path, overwrite=True)
    assert (tmp_path / f"{RID}-1-video.mp4").read_bytes() == b"new"


def test_save_does_not_write_through_planted_links(script: Script, tmp_path: Path) -> None:
    _files(script, {URLS[0]: b"data", URLS[1]: b"data"})
    result = _result(script, {"images": URLS})
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    target = tmp_path / f"{RID}-0-video.mp4"
    for name in (target.name + ".part", "." + target.name + ".part"):
        (tmp_path / name).symlink_to(victim)
    target.symlink_to(victim)
    with pytest.raises(FileExistsError):
        result.save(tmp_path)  # the destination is a (planted) link: not replaced
    target.unlink()
    saved = result.save(tmp_path)
    assert victim.read_bytes() == b"precious"
    assert saved[0].read_bytes() == b"data" and not saved[0].is_symlink()


def test_save_caps_the_size(script: Script, tmp_path: Path) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        def chunks() -> Iterator[bytes]:
            while True:
                yield b"x" * 65536

        return httpx.Response(200, content=chunks())

    script.on("file", endless)
    result = _result(script, {"image": URLS[0]}, max_download_bytes=1_000_000)
    with pytest.raises(DownloadTooLargeError):
        result.save(tmp_path)
    assert os.listdir(tmp_path) == []  # the partial file is gone


def test_save_declared_too_large_is_refused_before_reading(script: Script, tmp_path: Path) -> None:
    script.on("file", httpx.Response(200, content=b"x" * 10, headers={"content-length": "10"}))
    result = _result(script, {"image": URLS[0]}, max_download_bytes=5)
    with pytest.raises(DownloadTooLargeError):
        result.save(tmp_path)


def test_save_has_an_overall_deadline(script: Script, tmp_path: Path) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        def chunks() -> Iterator[bytes]:
            while True:
                yield b"x"

        return httpx.Response(200, content=chunks())

    script.on("file", slow)
    result = _result(script, {"image": URLS[0]})
    with pytest.raises(APIConnectionError, match="deadline"):
        result.save(tmp_path, timeout=0.05)
    assert os.listdir(tmp_path) == []


def test_async_save(tmp_path: Path) -> None:
    script = Script()
    script.on("submit", ok({"request_id": RID}))
    script.on("result", ok({"status": "completed", "output": {"image": URLS[0]}}))
    _files(script, {URLS[0]: b"async"})

    async def main() -> list[Path]:
        client, endpoint = make_async_client(script)
        async with client:
            result = await endpoint._run(TinyInput(prompt="x"))
            return await result.asave(tmp_path)

    [path] = asyncio.run(main())
    assert path.name == f"{RID}-0-video.mp4" and path.read_bytes() == b"async"


def test_downloads_ask_for_any_type_as_runcomfys_clients_do(script: Script, tmp_path: Path) -> None:
    # runcomfy-cli (reqwest), the partner nodes (requests) and runcomfy-mcp (httpx) fetch an
    # output file with "Accept: */*"; "application/json" is for API answers, not an mp4.
    _files(script, {URLS[0]: b"first", URLS[1]: b"second"})
    _result(script, {"images": URLS}).save(tmp_path)
    assert [r.headers["accept"] for r in script.requests("file")] == ["*/*", "*/*"]
    assert all(r.headers["user-agent"] for r in script.requests("file"))
    assert script.requests("result")[0].headers["accept"] == "application/json"


def test_a_file_that_its_content_encoding_does_not_describe_is_a_protocol_error(
    script: Script, tmp_path: Path
) -> None:
    def junk(request: httpx.Request) -> httpx.Response:
        stream = httpx.ByteStream(b"not gzip at all")  # decoded only as it is read
        return httpx.Response(200, headers={"content-encoding": "gzip"}, stream=stream)

    script.on("file", junk)
    result = _result(script, {"image": URLS[0]})
    with pytest.raises(ProtocolError, match="cannot be decoded"):
        result.save(tmp_path)
    assert os.listdir(tmp_path) == [] and len(script.requests("file")) == 1  # not fetched again

    async def main() -> None:
        async_script = Script()
        async_script.on("submit", ok({"request_id": RID}))
        async_script.on("result", ok({"status": "completed", "output": {"image": URLS[0]}}))
        async_script.on("file", junk)
        client, endpoint = make_async_client(async_script)
        async with client:
            done = await endpoint._run(TinyInput(prompt="x"))
            with pytest.raises(ProtocolError, match="cannot be decoded"):
                await done.asave(tmp_path)

    asyncio.run(main())
