"""A tiny loopback server answering exactly what a test scripts: garbage a real server won't."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Declare this many more bytes than are sent, then hang up (a truncated answer).
    missing_bytes: int = 0

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Scripted:
        return cls(status, json.dumps(data).encode())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.server.seen.append(self.path)
        offset = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("offset")
        key = f"{parts.path}@{offset}" if offset is not None else parts.path
        answer = self.server.script.get(key) or self.server.script.get(parts.path) or Scripted(404)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body) + answer.missing_bytes))
        self.end_headers()
        self.wfile.write(answer.body)
        if answer.missing_bytes:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: dict[str, Scripted]) -> None:
        self.script = script
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)


@contextmanager
def hostile(script: dict[str, Scripted]) -> Iterator[tuple[str, list[str]]]:
    """``script`` maps ``/path`` or ``/path@offset`` to the answer; yields (base URL, paths
    seen)."""
    server = _Server(script)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}", server.seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
