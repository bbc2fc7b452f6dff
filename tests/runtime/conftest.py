"""Unit-test kit for ``generator/runtime``: a tiny model endpoint and a scripted HTTP server.

``httpx.MockTransport`` answers from a Python function, so each test states exactly what the
server says; the end-to-end tests against ``serve`` are in tests/client.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ConfigDict

from generator.runtime import (
    AsyncClientBase,
    AsyncModelEndpoint,
    ClientBase,
    FileInfo,
    Issue,
    ModelEndpoint,
    PollPolicy,
    RetryPolicy,
)
from generator.runtime._input import InputModel

TOKEN = "rc-unit-SECRET-0f9e8d7c6b5a"
BASE = "http://api.test"
MODEL = "acme/tiny/text-to-image"


class TinyInput(InputModel):
    model_config = ConfigDict(extra="forbid")
    prompt: str


class TinyOutput(BaseModel):
    images: list[str] | None = None
    image: str | None = None


def issues_for(payload: Mapping[str, Any], files: Mapping[str, FileInfo] | None) -> list[Issue]:
    """The tiny model's rules: a prompt, and an ``image_url`` of at least 320 px width."""
    issues = []
    if not payload.get("prompt"):
        issues.append(Issue(pointer="/prompt", message="must not be empty", rule="minLength"))
    url = payload.get("image_url")
    if isinstance(url, str):
        info = (files or {}).get(url)
        if info is None or info.width is None:
            issues.append(
                Issue("/image_url", "width >= 320", rule="width_pixels>=", severity="unchecked")
            )
        elif info.width < 320:
            issues.append(Issue("/image_url", "width >= 320", rule="width_pixels>="))
    return issues


class TinyEndpoint(ModelEndpoint[TinyInput, TinyOutput]):
    model_id = MODEL
    output_type = TinyOutput

    def _check(
        self, payload: Mapping[str, Any], files: Mapping[str, FileInfo] | None = None
    ) -> list[Issue]:
        return issues_for(payload, files)


class AsyncTinyEndpoint(AsyncModelEndpoint[TinyInput, TinyOutput]):
    model_id = MODEL
    output_type = TinyOutput

    def _check(
        self, payload: Mapping[str, Any], files: Mapping[str, FileInfo] | None = None
    ) -> list[Issue]:
        return issues_for(payload, files)


Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Script:
    """A fake RunComfy: answers by (method, action) and records every request it got."""

    answers: dict[str, list[httpx.Response | Handler]] = field(default_factory=dict)
    seen: list[httpx.Request] = field(default_factory=list)

    def on(self, key: str, *answers: httpx.Response | Handler) -> Script:
        """``key``: "submit", "status", "result", "cancel" or "file"; answers are used in turn,
        the last one for ever after (a callable is called with the request)."""
        self.answers[key] = list(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        key = _key(request)
        queue = self.answers.get(key)
        if not queue:
            return httpx.Response(404, json={"error_code": 404001, "message": f"no {key}"})
        answer = queue[0] if len(queue) == 1 else queue.pop(0)
        return answer(request) if callable(answer) else answer

    def requests(self, key: str) -> list[httpx.Request]:
        return [request for request in self.seen if _key(request) == key]


def _key(request: httpx.Request) -> str:
    path = request.url.path
    if path.startswith("/v1/models/"):
        return "submit"
    if path.startswith("/v1/requests/"):
        return path.rsplit("/", 1)[-1]
    return "file"


def ok(data: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(data).encode(), headers=headers)


def fast(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "base_url": BASE,
        "poll_policy": PollPolicy(initial_interval=0.0, max_interval=0.0),
        "retry_policy": RetryPolicy(initial_backoff=0.0, max_backoff=0.0),
        "wait_timeout": 5.0,
    }
    options.update(overrides)
    return options


@pytest.fixture
def script() -> Script:
    return Script()


def make_client(script: Script, **overrides: Any) -> tuple[ClientBase, TinyEndpoint]:
    http = httpx.Client(transport=httpx.MockTransport(script))
    client = ClientBase(TOKEN, http_client=http, **fast(**overrides))
    return client, TinyEndpoint(client._transport)


def make_async_client(
    handler: Callable[[httpx.Request], Any], **overrides: Any
) -> tuple[AsyncClientBase, AsyncTinyEndpoint]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = AsyncClientBase(TOKEN, http_client=http, **fast(**overrides))
    return client, AsyncTinyEndpoint(client._transport)
