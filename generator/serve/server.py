"""Start and stop the server: in a background thread (tests) or in the foreground (the CLI)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.serve.app import QueueHTTPServer, ServerState
from generator.serve.catalog import load_catalog
from generator.serve.faults import Fault, FaultPlan
from generator.serve.files import SAMPLES
from generator.serve.jobs import Schedule
from generator.serve.media import MediaFile

__all__ = ["RunningServer", "create_server", "serve_in_thread"]

_UPLOADS = "/files/uploads/"


class RunningServer:
    """A server bound to its address, with what tests assert on.

    ``jobs_created()`` counts the jobs the server really created (a submit whose connection was
    dropped after the job was made counts; one refused with 503 does not), so a client test can
    say "submitted exactly once".
    """

    def __init__(self, http: QueueHTTPServer) -> None:
        self._http = http
        self._thread: threading.Thread | None = None
        host, port = http.server_address[:2]
        for name in ("127.0.0.1", "localhost", host if isinstance(host, str) else host.decode()):
            http.state.add_netloc(f"{name}:{port}")

    @property
    def state(self) -> ServerState:
        return self._http.state

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def faults(self) -> FaultPlan:
        return self.state.faults

    def set_faults(self, faults: Sequence[Fault]) -> None:
        """Replace the fault plan (counts start again)."""
        self.state.faults.replace_all(tuple(faults))

    def jobs_created(self, model_id: str | None = None) -> int:
        per_model = self.state.jobs.created_per_model()
        return per_model.get(model_id, 0) if model_id is not None else sum(per_model.values())

    def jobs(self) -> list[dict[str, Any]]:
        return self.state.jobs.snapshot()

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """The requests received (newest last), optionally only one method and path."""
        seen = self.state.request_log()
        return [
            entry
            for entry in seen
            if (method is None or entry["method"] == method)
            and (path is None or entry["path"] == path)
        ]

    def sample_url(self, name: str) -> str:
        """URL of a bundled sample: ``image.png`` (512x512), ``image-small.png`` (64x64),
        ``video.mp4`` (64x64, 1 s), ``audio.wav``."""
        if self.state.files.get(SAMPLES + name) is None:
            raise KeyError(f"no sample {name!r}")
        return f"{self.base_url}{SAMPLES}{name}"

    def publish_file(
        self,
        name: str,
        data: bytes,
        *,
        content_type: str,
        width: int | None = None,
        height: int | None = None,
    ) -> str:
        """Serve ``data`` under a URL whose file rules (size, pixels) the server checks."""
        if "/" in name or not name:
            raise ValueError("a published file name must be one non-empty path segment")
        path = _UPLOADS + name
        self.state.files.put(path, MediaFile(data, content_type, width, height))
        return self.base_url + path

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"runcomfy-serve {self.base_url}",
            daemon=True,
        )
        self._thread.start()

    def serve_forever(self) -> None:
        self._http.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join()
            self._thread = None
        self._http.close_connections()
        self._http.server_close()


def create_server(
    schemas_dir: Path,
    *,
    token: str,
    schedule: Schedule | None = None,
    faults: Sequence[Fault] = (),
    host: str = "127.0.0.1",
    port: int = 0,
    log: Callable[[str], None] | None = None,
) -> RunningServer:
    """Load the models of ``schemas_dir`` and bind (not yet serve); port 0 picks a free port."""
    if not token:
        raise ValueError("the server needs a non-empty token")
    state = ServerState(
        catalog=load_catalog(schemas_dir),
        token=token,
        schedule=schedule or Schedule(),
        faults=FaultPlan.of(tuple(faults)),
        log=log,
    )
    return RunningServer(QueueHTTPServer((host, port), state))


@contextmanager
def serve_in_thread(
    schemas_dir: Path,
    *,
    token: str = "test-token",
    schedule: Schedule | None = None,
    faults: Sequence[Fault] = (),
    host: str = "127.0.0.1",
    port: int = 0,
    log: Callable[[str], None] | None = None,
) -> Iterator[RunningServer]:
    """``with serve_in_thread(Path("schemas")) as server: server.base_url`` - a real server on
    a free loopback port, stopped (and its connections closed) on leaving the block."""
    server = create_server(
        schemas_dir, token=token, schedule=schedule, faults=faults, host=host, port=port, log=log
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
