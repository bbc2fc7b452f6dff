"""The HTTP side: routes of the RunComfy queue protocol, authentication and fault injection.

Built on the standard library's ``ThreadingHTTPServer`` (docs/serve.md says why): each
connection has its own thread and its own socket, so a fault can really sleep before answering
or really close the socket without a byte of answer, after the job was created or before.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from generator.serve import catalog_api
from generator.serve.catalog import Catalog, Problem, output_kind
from generator.serve.faults import DROP, DROP_AFTER, ERROR_200, FAIL, SLOW, Fault, FaultPlan
from generator.serve.files import FileStore, result_file
from generator.serve.jobs import COMPLETED, FAILED, Job, JobStore, Schedule
from generator.serve.media import MediaFile

__all__ = ["QueueHTTPServer", "ServerState"]

# Error codes of the documented error shape {error_code, message, detail}.
UNAUTHORIZED = 400004
UNKNOWN_MODEL = 400001
NOT_FOUND = 404001
INVALID_INPUT = 422001
INTERNAL = 500001
_STATUS_CODES = {400: 400000, 401: UNAUTHORIZED, 402: 400002, 404: NOT_FOUND, 422: INVALID_INPUT}
_REQUESTS_KEPT = 2000


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _json_answer(status: int, data: Any, headers: dict[str, str] | None = None) -> Answer:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Answer(status, body, headers=headers or {})


def error_answer(
    status: int, message: str, *, error_code: int | None = None, detail: Any = None
) -> Answer:
    code = error_code if error_code is not None else _STATUS_CODES.get(status, status * 1000 + 1)
    return _json_answer(status, {"error_code": code, "message": message, "detail": detail})


@dataclass
class ServerState:
    """Everything the handlers share; the Python API reads it for assertions."""

    catalog: Catalog
    token: str
    schedule: Schedule
    faults: FaultPlan
    files: FileStore = field(default_factory=FileStore)
    log: Callable[[str], None] | None = None
    requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=_REQUESTS_KEPT))
    netlocs: set[str] = field(default_factory=set)
    jobs: JobStore = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.jobs = JobStore(self.schedule, self._make_output)

    def record(self, method: str, path: str, outcome: int | str, note: str = "") -> None:
        with self._lock:
            self.requests.append({"method": method, "path": path, "outcome": outcome})
        if self.log is not None:
            self.log(f"{method} {path} -> {outcome}{' ' + note if note else ''}")

    def request_log(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)

    def add_netloc(self, netloc: str) -> None:
        """A ``host:port`` the server was reached as; its URLs name the server's own files."""
        with self._lock:
            self.netlocs.add(netloc)

    def lookup(self, url: str) -> MediaFile | None:
        with self._lock:
            netlocs = frozenset(self.netlocs)
        return self.files.lookup_url(url, netlocs)

    def _make_output(self, job: Job) -> dict[str, Any]:
        spec = self.catalog.spec(job.model_id)
        kind = output_kind(spec)
        name, media = result_file(kind)
        path = f"/files/{job.request_id}/{name}"
        self.files.put(path, media)
        url = f"{job.base_url}{path}"
        schema_keys = {output.wire_key: output for output in spec.outputs}
        for key in (kind, kind + "s"):
            if key in schema_keys:
                return {key: [url] if schema_keys[key].json_type == "array" else url}
        # The documented output schema has no key for this medium (audio models): name it
        # after the medium rather than pass a sound off as an image.
        return {kind: url}


class _Drop(Exception):
    """Close the connection without answering."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "runcomfy-codegen-serve"
    # Headers and body go out in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (~40 ms per answer on Linux).
    disable_nagle_algorithm = True
    server: QueueHTTPServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are logged through ServerState.record instead."""

    @property
    def state(self) -> ServerState:
        return self.server.state

    def _base(self) -> str:
        host = self.headers.get("Host")
        return f"http://{host}" if host else self.server.base_url

    def _handle(self, method: str) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        hits = self.state.faults.draw(method, path)
        for fault in hits:
            if fault.kind == SLOW:
                time.sleep(fault.ms / 1000)
        terminal = next((fault for fault in hits if fault.kind != SLOW), None)
        try:
            answer = self._answer_with_faults(method, path, body, terminal)
        except _Drop:
            self.state.record(method, path, "dropped")
            self._drop()
            return
        except Exception as exc:  # a bug here must look like a server error, not a hang-up
            answer = error_answer(500, f"internal error: {type(exc).__name__}: {exc}")
        self.state.record(method, path, answer.status)
        try:
            self._send(answer, head_only=False)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (e.g. its read timeout during a slow fault).
            self.close_connection = True

    def _answer_with_faults(
        self, method: str, path: str, body: bytes, fault: Fault | None
    ) -> Answer:
        if fault is None:
            return self._route(method, path, body, fault=None)
        if fault.kind == DROP:
            raise _Drop
        if fault.status is not None:
            headers = {"Retry-After": _seconds(fault.retry_after)} if fault.status == 429 else {}
            answer = error_answer(
                fault.status,
                fault.message or f"injected fault: HTTP {fault.status}",
                error_code=fault.error_code,
            )
            answer.headers.update(headers)
            return answer
        if fault.kind == ERROR_200:
            return error_answer(
                200,
                fault.message or "injected fault: an error inside an HTTP 200 answer",
                error_code=fault.error_code if fault.error_code is not None else INTERNAL,
            )
        answer = self._route(method, path, body, fault=fault)
        if fault.kind == DROP_AFTER:
            raise _Drop
        return answer

    def _authorized(self) -> bool:
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {self.state.token}"
        return hmac.compare_digest(given.encode(), expected.encode())

    def _route(self, method: str, path: str, body: bytes, *, fault: Fault | None) -> Answer:
        if method == "GET" and (path.startswith("/files/") or path.startswith("/samples/")):
            media = self.state.files.get(path)
            if media is None:
                return error_answer(404, f"no file at {path}")
            return Answer(200, media.data, media.content_type)
        if method == "GET" and path == "/":
            return self._index()
        if not (path.startswith("/v1/") or path.startswith("/_admin/")):
            return error_answer(404, f"no route {method} {path}")
        if not self._authorized():
            return error_answer(401, "missing or invalid API token (Authorization: Bearer ...)")
        if path.startswith("/_admin/") and method == "GET":
            return self._admin(path)
        if catalog_api.handles(method, path):
            reply = catalog_api.answer(self.state.catalog, path, urlsplit(self.path).query)
            if reply.status == 200:
                return _json_answer(200, reply.data)
            return error_answer(reply.status, reply.message)
        if method == "POST" and path.startswith("/v1/models/"):
            return self._submit(path.removeprefix("/v1/models/"), body, fault=fault)
        parts = path.split("/")  # ["", "v1", "requests", id, action]
        if len(parts) == 5 and parts[2] == "requests":
            request_id, action = parts[3], parts[4]
            if (method, action) == ("GET", "status"):
                return self._status(request_id, with_output=False)
            if (method, action) == ("GET", "result"):
                return self._status(request_id, with_output=True)
            if (method, action) == ("POST", "cancel"):
                return self._cancel(request_id)
        return error_answer(404, f"no route {method} {path}")

    def _urls(self, request_id: str) -> dict[str, str]:
        base = f"{self._base()}/v1/requests/{request_id}"
        return {
            "status_url": f"{base}/status",
            "result_url": f"{base}/result",
            "cancel_url": f"{base}/cancel",
        }

    def _submit(self, model_id: str, body: bytes, *, fault: Fault | None) -> Answer:
        if model_id not in self.state.catalog:
            return error_answer(
                400, f"unknown model {model_id!r}", error_code=UNKNOWN_MODEL, detail=None
            )
        try:
            payload = json.loads(body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            detail = [Problem("", f"the body is not valid JSON: {exc}", "json").to_json()]
            return error_answer(422, "the request body is not valid JSON", detail=detail)
        self.state.add_netloc(self._base().removeprefix("http://"))
        problems = self.state.catalog.check(model_id, payload, self.state.lookup)
        if problems:
            return error_answer(
                422,
                f"the input does not match {model_id}'s schema ({len(problems)} problem(s))",
                detail=[problem.to_json() for problem in problems],
            )
        failing = fault is not None and fault.kind == FAIL
        # Result URLs use the host the client called (a server bound to 0.0.0.0 has many).
        job = self.state.jobs.create(
            model_id,
            payload,
            base_url=self._base(),
            will_fail=failing,
            failure_message=fault.message if fault is not None and failing else None,
        )
        return _json_answer(200, {"request_id": job.request_id, **self._urls(job.request_id)})

    def _status(self, request_id: str, *, with_output: bool) -> Answer:
        view = self.state.jobs.observe(request_id)
        if view is None:
            return error_answer(404, f"no request {request_id!r}", error_code=NOT_FOUND)
        job = self.state.jobs.get(request_id)
        assert job is not None  # observe() found it; jobs are never removed
        data = {**view, **self._urls(request_id)}
        if view["status"] == FAILED:
            data["error"] = {"error_code": INTERNAL, "message": job.failure_message}
        if with_output and view["status"] == COMPLETED:
            data["output"] = job.output
        return _json_answer(200, data)

    def _cancel(self, request_id: str) -> Answer:
        outcome = self.state.jobs.cancel(request_id)
        if outcome is None:
            return error_answer(404, f"no request {request_id!r}", error_code=NOT_FOUND)
        result, view = outcome
        return _json_answer(200, {**view, "outcome": result})

    def _admin(self, path: str) -> Answer:
        if path == "/_admin/jobs":
            jobs = self.state.jobs.snapshot()
            return _json_answer(200, {"created": self.state.jobs.created_per_model(), "jobs": jobs})
        if path == "/_admin/requests":
            return _json_answer(200, {"requests": self.state.request_log()})
        if path == "/_admin/faults":
            return _json_answer(200, {"faults": self.state.faults.report()})
        return error_answer(404, f"no admin route {path}")

    def _index(self) -> Answer:
        base = self._base()
        return _json_answer(
            200,
            {
                "models": sorted(self.state.catalog.models),
                "samples": [base + path for path in self.state.files.sample_paths()],
            },
        )

    def _send(self, answer: Answer, *, head_only: bool) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(answer.body)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may have gone first
            self.connection.shutdown(socket.SHUT_RDWR)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class QueueHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Many short-lived test connections: let a restarted server reuse the port at once.
    allow_reuse_address = True
    # socketserver's default backlog of 5 resets bursts of connections (100 async jobs at
    # once); production load balancers keep a deep backlog too.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: ServerState) -> None:
        self.state = state
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        shown = host if isinstance(host, str) else host.decode()
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End idle keep-alive connections so their threads finish with the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
