"""A real server on a free loopback port for each test, and an HTTP client for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from generator.serve import RunningServer, Schedule, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
TOKEN = "serve-test-token"
DREAMINA = "bytedance/dreamina-3-0/pro/image-to-video"
ALEPH = "runwayml/runway-aleph/video-to-video"


@pytest.fixture
def server() -> Iterator[RunningServer]:
    with serve_in_thread(SCHEMAS, token=TOKEN, schedule=Schedule()) as running:
        yield running


@pytest.fixture
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as http:
        yield http


def aleph_body(server: RunningServer) -> dict[str, str]:
    return {"video_url": server.sample_url("video.mp4"), "prompt": "a cat", "ratio": "1280:720"}
