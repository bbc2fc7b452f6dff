"""URLs of other schemes in a result: never listed nor fetched, never dropped in silence.

The server (the real ``serve``, over HTTP) completes an Aleph job whose output holds, beside its
real video, what a broken or hostile server could send: ``ftp:``, ``file:``, ``javascript:``
and ``data:`` URLs and an http URL that does not parse (``urlsplit`` raised on it, so
``urls()`` itself failed). ``urls()`` used to skip the other schemes without a word.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.serve import RunningServer, Schedule
from generator.serve.jobs import Job

from .conftest import TOKEN, fast_options

ALEPH = "runwayml/runway-aleph/video-to-video"
#: (pointer in the output, URL, what the warning calls it)
ODD = [
    ("/images/0", "ftp://files.test/a.png", "scheme ftp:"),
    ("/images/1", "file:///etc/passwd", "scheme file:"),
    ("/image", "javascript:alert(1)", "scheme javascript:"),
    ("/extra/thumb", "data:image/png;base64,iVBORw0KGgo=", "scheme data:"),
    ("/extra/broken", "http://[not-a-host/x.png", "does not parse"),
]
#: Text that is no URL: neither listed, nor warned about.
TEXT = {"note": "Note: done", "path": "C:\\out.png", "ratio": "16:9", "seed": "42"}


@pytest.fixture
def odd_server(make_server: Callable[..., RunningServer]) -> RunningServer:
    server = make_server(Schedule(queue_polls=0, progress_polls=0))
    real = server.state.jobs.make_output

    def output(job: Job) -> dict[str, Any]:
        made = real(job)  # {"video": "http://127.0.0.1:PORT/files/<id>/output.mp4"}
        extra = {"thumb": ODD[3][1], "broken": ODD[4][1], **TEXT}
        return {**made, "images": [ODD[0][1], ODD[1][1]], "image": ODD[2][1], "extra": extra}

    server.state.jobs.make_output = output
    return server


def _body(server: RunningServer) -> dict[str, str]:
    return {"video_url": server.sample_url("video.mp4"), "prompt": "p", "ratio": "1280:720"}


@pytest.fixture
def odd_client(sdk: ModuleType, odd_server: RunningServer) -> Iterator[Any]:
    with sdk.RunComfy(TOKEN, base_url=odd_server.base_url, **fast_options(sdk)) as client:
        yield client


def test_only_http_urls_are_listed_and_every_other_one_is_a_warning(
    odd_client: Any, odd_server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="runcomfy_models"):
        result = odd_client.model(ALEPH).run(_body(odd_server))
    [video] = result.urls()
    assert video.startswith(odd_server.base_url + "/files/")
    assert result.unsupported_urls() == [(pointer, url) for pointer, url, _ in ODD]
    logged = [record.getMessage() for record in caplog.records]
    for pointer, _, kind in ODD:
        [warning] = [w for w in result.warnings if w.startswith(f"output{pointer}: ")]
        what = f"of {kind}" if kind.startswith("scheme") else "that does not parse"
        assert f"is a URL {what} (not http or https): urls() does not list it" in warning
        assert f"{result.request_id}: {warning}" in logged  # the runtime's logger says it too
    assert len(result.warnings) == len(ODD)  # the text values are not URLs
    assert result.raw["output"]["images"] == [ODD[0][1], ODD[1][1]]  # kept as sent


def test_save_refuses_before_fetching_anything_unless_told_to_skip(
    sdk: ModuleType, odd_client: Any, odd_server: RunningServer, tmp_path: Path
) -> None:
    result = odd_client.model(ALEPH).run(_body(odd_server))
    requests_before = len(odd_server.requests("GET"))
    with pytest.raises(sdk.ProtocolError) as refused:
        result.save(tmp_path / "out")
    message = str(refused.value)
    assert "output/images/1 (scheme file:)" in message
    assert "output/image (scheme javascript:)" in message
    assert "output/extra/broken (does not parse)" in message
    assert "skip_unsupported=True" in message and refused.value.request_id == result.request_id
    assert not (tmp_path / "out").exists()
    assert len(odd_server.requests("GET")) == requests_before  # nothing was fetched

    saved = result.save(tmp_path / "out", skip_unsupported=True)
    assert [path.name for path in saved] == [f"{result.request_id}-0-output.mp4"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [saved[0].name]


def test_async_save_refuses_the_same_way(
    sdk: ModuleType, odd_server: RunningServer, tmp_path: Path
) -> None:
    async def scenario() -> list[Path]:
        options = fast_options(sdk)
        async with sdk.AsyncRunComfy(TOKEN, base_url=odd_server.base_url, **options) as client:
            result = await client.model(ALEPH).run(_body(odd_server))
            with pytest.raises(sdk.ProtocolError, match=r"output/images/0 \(scheme ftp:\)"):
                await result.asave(tmp_path)
            assert list(tmp_path.iterdir()) == []
            saved: list[Path] = await result.asave(tmp_path, skip_unsupported=True)
            return saved

    [path] = asyncio.run(scenario())
    assert path.read_bytes()[4:8] == b"ftyp"
