"""N concurrent ``run()`` jobs through one generated client against ``serve``.

The server runs in its own process (so its CPU is not the client's) with ~1 s jobs (0.3 s
queued, 0.7 s running, by time only). The client is the SDK ``generate`` builds from
``schemas/``, imported from a temporary folder. For each N and mode it prints:

* wall time, client CPU per job (user + system time of this process, polls included) and its
  system part: on 127.0.0.1 the kernel runs the receiving side of each packet in the sender's
  system call, so part of the "client" system time is the loopback's, not the client's;
* requests per job (counted by the server), failures, duplicate submits (jobs the server
  created beyond the N the client holds) and orphans (server jobs the client has no result for).

Modes: ``async`` (one ``AsyncRunComfy``, N tasks on one event loop) and ``sync`` (one
``RunComfy`` shared by a thread pool of min(N, --threads) workers), each once per
``--backends``: ``http_backend="httpx"`` (the default) and ``"aiohttp"``.

Run on demand: ``python benchmarks/bench_client.py --n 100 1000 5000``; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.output.build import build_outputs  # noqa: E402
from generator.serve import Schedule, create_server  # noqa: E402

SCHEMAS = ROOT / "schemas"
TOKEN = "bench-token"
MODEL = "runwayml/runway-aleph/video-to-video"
ATTRIBUTE = "runwayml_runway_aleph_video_to_video"


def _serve(connection: Connection, queue_seconds: float, progress_seconds: float) -> None:
    schedule = Schedule(
        queue_seconds=queue_seconds,
        progress_seconds=progress_seconds,
        queue_polls=0,
        progress_polls=0,
    )
    server = create_server(SCHEMAS, token=TOKEN, schedule=schedule)
    connection.send(server.base_url)
    server.serve_forever()


def _build_sdk(folder: Path) -> ModuleType:
    for relative, text in build_outputs(SCHEMAS).items():
        if relative.startswith("python/"):
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder / "python"))
    return importlib.import_module("runcomfy_models")


@dataclass
class Figures:
    mode: str
    n: int
    wall: float
    cpu_per_job_ms: float
    sys_per_job_ms: float
    requests_per_job: float
    failures: int
    duplicates: int
    orphans: int
    errors: dict[str, int]

    def line(self) -> str:
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "-"
        return (
            f"| {self.mode} | {self.n} | {self.wall:.1f} s | {self.cpu_per_job_ms:.2f} ms | "
            f"{self.sys_per_job_ms:.2f} ms | "
            f"{self.requests_per_job:.2f} | {self.failures} | {self.duplicates} | "
            f"{self.orphans} | {errors} |"
        )


_ADMIN_READS = 2


def _cpu_since(start: os.times_result) -> tuple[float, float]:
    """(user + system, system) seconds of this process since ``start``."""
    now = os.times()
    system = now.system - start.system
    return now.user - start.user + system, system


def _admin(base_url: str, path: str) -> Any:
    answer = httpx.get(base_url + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    answer.raise_for_status()
    return answer.json()


def _server_facts(base_url: str) -> tuple[list[str], int]:
    jobs = _admin(base_url, "/_admin/jobs")["jobs"]
    totals = _admin(base_url, "/_admin/requests")["totals"]
    return [job["request_id"] for job in jobs], sum(totals.values())


def _arguments(base_url: str) -> dict[str, Any]:
    return {
        "video_url": f"{base_url}/samples/video.mp4",
        "prompt": "a quiet harbour at dawn",
        "ratio": "1280:720",
    }


def run_async(sdk: ModuleType, base_url: str, n: int, options: dict[str, Any]) -> Figures:
    """N ``run()`` tasks on one event loop, through one AsyncRunComfy."""

    async def main() -> Figures:
        async with sdk.AsyncRunComfy(TOKEN, base_url=base_url, **options) as client:
            endpoint = getattr(client, ATTRIBUTE)
            await endpoint.run(**_arguments(base_url))  # warm-up, not counted
            before = await asyncio.to_thread(_server_facts, base_url)
            cpu, wall = os.times(), time.perf_counter()
            outcomes = await asyncio.gather(
                *(endpoint.run(**_arguments(base_url)) for _ in range(n)),
                return_exceptions=True,
            )
            cpu, wall = _cpu_since(cpu), time.perf_counter() - wall
            after = await asyncio.to_thread(_server_facts, base_url)
        mode = f"async ({options.get('http_backend', 'httpx')})"
        return _figures(mode, n, cpu, wall, list(outcomes), before, after)

    return asyncio.run(main())


def run_sync(
    sdk: ModuleType, base_url: str, n: int, threads: int, options: dict[str, Any]
) -> Figures:
    """N ``run()`` calls from a thread pool, through one shared RunComfy."""
    with sdk.RunComfy(TOKEN, base_url=base_url, **options) as client:
        endpoint = getattr(client, ATTRIBUTE)
        endpoint.run(**_arguments(base_url))  # warm-up, not counted

        def one(_: int) -> Any:
            try:
                return endpoint.run(**_arguments(base_url))
            except Exception as exc:  # counted, not raised: the figures say how many
                return exc

        before = _server_facts(base_url)
        cpu, wall = os.times(), time.perf_counter()
        with ThreadPoolExecutor(max_workers=min(n, threads)) as pool:
            outcomes = list(pool.map(one, range(n)))
        cpu, wall = _cpu_since(cpu), time.perf_counter() - wall
        after = _server_facts(base_url)
    mode = f"sync ({options.get('http_backend', 'httpx')}, {min(n, threads)} threads)"
    return _figures(mode, n, cpu, wall, outcomes, before, after)


def _figures(
    mode: str,
    n: int,
    cpu: tuple[float, float],
    wall: float,
    outcomes: list[Any],
    before: tuple[list[str], int],
    after: tuple[list[str], int],
) -> Figures:
    known = set(before[0])
    new_jobs = [job for job in after[0] if job not in known]
    done = {o.request_id for o in outcomes if not isinstance(o, BaseException)}
    errors: dict[str, int] = {}
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            errors[type(outcome).__name__] = errors.get(type(outcome).__name__, 0) + 1
    return Figures(
        mode=mode,
        n=n,
        wall=wall,
        cpu_per_job_ms=cpu[0] / n * 1000,
        sys_per_job_ms=cpu[1] / n * 1000,
        # Less the two admin reads between the snapshots (the first's own request is
        # logged after it answered; the second's jobs read comes before its count).
        requests_per_job=(after[1] - before[1] - _ADMIN_READS) / n,
        failures=sum(errors.values()),
        duplicates=max(0, len(new_jobs) - n),
        orphans=len([job for job in new_jobs if job not in done]),
        errors=errors,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--modes", nargs="+", choices=["async", "sync"], default=["async", "sync"])
    parser.add_argument("--threads", type=int, default=1000, help="sync mode's pool size cap")
    parser.add_argument(
        "--max-connections", type=int, help="client pool size (default: the client's own)"
    )
    parser.add_argument(
        "--backends",
        nargs="+",
        choices=["httpx", "aiohttp"],
        default=["httpx", "aiohttp"],
        help="the clients' http_backend",
    )
    parser.add_argument("--queue-seconds", type=float, default=0.3)
    parser.add_argument("--progress-seconds", type=float, default=0.7)
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(
        target=_serve, args=(theirs, args.queue_seconds, args.progress_seconds), daemon=True
    )
    server.start()
    base_url = ours.recv()
    print(
        f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"httpx {httpx.__version__}; jobs {args.queue_seconds + args.progress_seconds:.1f} s; "
        f"server in its own process at {base_url}"
    )
    print(
        "| mode | N | wall | client CPU / job | of which system | requests / job | failures | "
        "duplicates | orphans | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    options = {} if args.max_connections is None else {"max_connections": args.max_connections}
    try:
        with tempfile.TemporaryDirectory() as folder:
            sdk = _build_sdk(Path(folder))
            for n in args.n:
                for mode in args.modes:
                    for backend in args.backends:
                        chosen = {**options, "http_backend": backend}
                        if mode == "sync":
                            figures = run_sync(sdk, base_url, n, args.threads, chosen)
                        else:
                            figures = run_async(sdk, base_url, n, chosen)
                        print(figures.line(), flush=True)
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
