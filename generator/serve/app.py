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
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.errors import one_line
from generator.runtime._protocol import (
    INCLUDE_COST_PARAM,
    JOB_ACTIONS,
    MODELS_PATH,
    ErrorCode,
    job_path,
)
from generator.serve import catalog_api
from generator.serve.catalog import Catalog, Problem, output_kind
from generator.serve.faults import (
    DROP,
    DROP_AFTER,
    ERROR_200,
    FAIL,
    GARBAGE,
    REDIRECT,
    SLOW,
    Fault,
    FaultPlan,
)
from generator.serve.files import FileStore, result_file
from generator.serve.jobs import COMPLETED, FAILED, Job, JobStore, Schedule
from generator.serve.media import MediaFile

__all__ = ["MAX_BODY_BYTES", "READ_TIMEOUT", "QueueHTTPServer", "ServerState"]

# Error codes of the documented error shape {error_code, message, detail}.
_STATUS_CODES = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    402: ErrorCode.INSUFFICIENT_BALANCE,
    404: ErrorCode.NOT_FOUND,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    422: ErrorCode.INVALID_INPUT,
}
_REQUESTS_KEPT = 2000
#: The largest request body read: RunComfy's partner nodes send their references inline as
#: base64 ``data:`` URIs (a video of up to 32 MiB) and cap a body at 64 MiB, so the API takes
#: that much (runcomfy/client.py ``MAX_REQUEST_BYTES``).
MAX_BODY_BYTES = 64 * 1024 * 1024
#: Seconds a connection may stay silent (headers, body or between keep-alive requests); longer
#: than httpx's 5 s keep-alive expiry, so a client never sends into a connection being closed.
READ_TIMEOUT = 60.0
#: Seconds a whole request body may take, however it trickles in.
BODY_DEADLINE = 60.0


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


class _BadRequest(Exception):
    """The request itself is malformed: answer 400/411/413 and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


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
    #: Requests answered (or dropped) per method, all of them (``requests`` keeps the last few).
    totals: Counter[str] = field(default_factory=Counter)
    netlocs: set[str] = field(default_factory=set)
    jobs: JobStore = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.jobs = JobStore(self.schedule, self._make_output)

    def record(self, method: str, path: str, outcome: int | str, note: str = "") -> None:
        with self._lock:
            self.requests.append({"method": method, "path": path, "outcome": outcome})
            self.totals[method] += 1
        if self.log is not None:
            # The path is the client's: its control characters must not reach a terminal.
            self.log(one_line(f"{method} {path} -> {outcome}{' ' + note if note else ''}"))

    def request_log(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)

    def request_totals(self) -> dict[str, int]:
        with self._lock:
            return dict(self.totals)

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
    # A socket timeout: a client silent this long (in its headers, body or between requests)
    # loses its connection instead of holding a thread for ever.
    timeout = READ_TIMEOUT
    server: QueueHTTPServer
    #: The request's query parameters (``include_cost``).
    query: dict[str, list[str]]

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

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

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _BadRequest(411, "send the body with a Content-Length, not chunked")
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isdigit():
            raise _BadRequest(400, f"Content-Length {declared[:40]!r} is not a number")
        length = int(declared)
        if length > MAX_BODY_BYTES:
            raise _BadRequest(413, f"the body is over the {MAX_BODY_BYTES}-byte limit")
        chunks: list[bytes] = []
        left = length
        give_up = time.monotonic() + BODY_DEADLINE
        while left > 0:
            chunk = self.rfile.read1(min(left, 1 << 16)) if left else b""
            if not chunk or time.monotonic() > give_up:
                raise _BadRequest(400, "the body ended early or came too slowly")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _handle(self, method: str) -> None:
        target = urlsplit(self.path)
        path = target.path
        self.query = parse_qs(target.query)
        try:
            body = self._read_body()
        except _BadRequest as exc:
            self.state.record(method, path, exc.status, str(exc))
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._send(error_answer(exc.status, str(exc)), head_only=method == "HEAD")
            return
        except OSError:  # the socket timed out or the client went away mid-body
            self.state.record(method, path, "dropped", "body not received")
            self.close_connection = True
            return
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
            self._send(answer, head_only=method == "HEAD")
        except OSError:
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
            # As RunComfy sends it (and its MCP client reads it): error_code + error_message.
            code = fault.error_code if fault.error_code is not None else ErrorCode.INTERNAL
            message = fault.message or "injected fault: an error inside an HTTP 200 answer"
            return _json_answer(200, {"error_code": code, "error_message": message})
        if fault.kind == GARBAGE:
            text = fault.message or "<html><body>502 Bad Gateway</body></html>"
            return Answer(200, text.encode(), "text/html")
        if fault.kind == REDIRECT:
            location = fault.message or f"http://elsewhere.invalid{path}"
            return Answer(307, b"", headers={"Location": location})
        answer = self._route(method, path, body, fault=fault)
        if fault.kind == DROP_AFTER:
            raise _Drop
        return answer

    def _authorized(self) -> bool:
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {self.state.token}"
        return hmac.compare_digest(given.encode(), expected.encode())

    def _file(self, path: str) -> Answer:
        """A served file; ``Range: bytes=a-b`` gets that slice (206), as storage hosts do."""
        media = self.state.files.get(path)
        if media is None:
            return error_answer(404, f"no file at {path}")
        wanted = _byte_range(self.headers.get("Range"), len(media.data))
        if wanted is None:
            return Answer(200, media.data, media.content_type, {"Accept-Ranges": "bytes"})
        first, last = wanted
        content_range = f"bytes {first}-{last}/{len(media.data)}"
        return Answer(
            206, media.data[first : last + 1], media.content_type, {"Content-Range": content_range}
        )

    def _route(self, method: str, path: str, body: bytes, *, fault: Fault | None) -> Answer:
        if method in ("GET", "HEAD") and path.startswith(("/files/", "/samples/")):
            return self._file(path)
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
        if method == "POST" and path.startswith(MODELS_PATH):
            return self._submit(path.removeprefix(MODELS_PATH), body, fault=fault)
        parts = path.split("/")  # ["", "v1", "requests", id, action]
        if len(parts) == 5 and parts[2] == "requests":
            request_id, action = parts[3], parts[4]
            if (method, action) == ("GET", "status"):
                return self._status(request_id, with_output=False)
            if (method, action) == ("GET", "result"):
                with_cost = self.query.get(INCLUDE_COST_PARAM, [""])[-1].lower() == "true"
                return self._status(request_id, with_output=True, with_cost=with_cost)
            if (method, action) == ("POST", "cancel"):
                return self._cancel(request_id)
        return error_answer(404, f"no route {method} {path}")

    def _urls(self, request_id: str) -> dict[str, str]:
        base = self._base()
        return {f"{action}_url": base + job_path(request_id, action) for action in JOB_ACTIONS}

    def _submit(self, model_id: str, body: bytes, *, fault: Fault | None) -> Answer:
        if model_id not in self.state.catalog:
            return error_answer(
                400, f"unknown model {model_id!r}", error_code=ErrorCode.UNKNOWN_MODEL
            )
        try:
            payload = json.loads(body or b"null")
            # A lone "\ud800" escape decodes, but no answer or log line can hold it.
            json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except (ValueError, RecursionError) as exc:
            # Not JSON, not UTF-8, nested past Python's stack, a number of 4,300+ digits, half
            # a surrogate pair: the client's mistake (422), never a server error (500).
            said = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            detail = [Problem("", f"the body is not usable JSON: {said}", "json").to_json()]
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
            cost=catalog_api.job_cost(self.state.catalog, model_id, payload),
        )
        return _json_answer(200, {"request_id": job.request_id, **self._urls(job.request_id)})

    def _status(self, request_id: str, *, with_output: bool, with_cost: bool = False) -> Answer:
        """A job's status; the result view adds its output once completed (and its cost)."""
        view = self.state.jobs.observe(request_id)
        if view is None:
            return error_answer(404, f"no request {request_id!r}", error_code=ErrorCode.NOT_FOUND)
        job = self.state.jobs.get(request_id)
        assert job is not None  # observe() found it; jobs are never removed
        data = {**view, **self._urls(request_id)}
        if view["status"] == FAILED:
            # error_message is what RunComfy's MCP client reads; its CLI prints ``error``.
            data["error_message"] = job.failure_message
            data["error"] = {"error_code": ErrorCode.INTERNAL, "message": job.failure_message}
        if with_output and view["status"] == COMPLETED:
            data["output"] = job.output
        if with_cost and "finished_at" in view:
            # Failed and cancelled jobs cost nothing.
            data["cost"] = job.cost if view["status"] == COMPLETED else 0.0
        return _json_answer(200, data)

    def _cancel(self, request_id: str) -> Answer:
        outcome = self.state.jobs.cancel(request_id)
        if outcome is None:
            return error_answer(404, f"no request {request_id!r}", error_code=ErrorCode.NOT_FOUND)
        result, view = outcome
        return _json_answer(200, {**view, "outcome": result})

    def _admin(self, path: str) -> Answer:
        if path == "/_admin/jobs":
            jobs = self.state.jobs.snapshot()
            return _json_answer(200, {"created": self.state.jobs.created_per_model(), "jobs": jobs})
        if path == "/_admin/requests":
            log, totals = self.state.request_log(), self.state.request_totals()
            return _json_answer(200, {"requests": log, "totals": totals})
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


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` as (first, last); None: the whole file."""
    unit, _, spec = (header or "").partition("=")
    first_text, dash, last_text = spec.strip().partition("-")
    if unit.strip() != "bytes" or not dash or size == 0 or "," in spec:
        return None
    if not first_text.isdigit():  # a suffix: the last n bytes
        if not last_text.isdigit() or int(last_text) == 0:
            return None
        return max(0, size - int(last_text)), size - 1
    first = int(first_text)
    last = int(last_text) if last_text.isdigit() else size - 1
    if first >= size or last < first:
        return None
    return first, min(last, size - 1)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class QueueHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Many short-lived test connections: let a restarted server reuse the port at once.
    allow_reuse_address = True
    # socketserver's default backlog of 5 resets bursts of connections (hundreds of clients
    # connecting at once); production load balancers keep a deep backlog too. The kernel caps
    # it at net.core.somaxconn.
    request_queue_size = 1024

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
