"""``runcomfy-codegen serve``: a local RunComfy queue server for every model in ``schemas/``."""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

import click

from generator.cli._app import EXIT_INPUT_ERROR, verbosity
from generator.cli._params import SECONDS
from generator.serve.faults import Fault, load_faults_file, parse_fault
from generator.serve.jobs import Schedule
from generator.serve.server import create_server

__all__ = ["MAX_QUEUE_POSITION", "serve_command"]

#: Far above any real queue, and small enough that counting it down stays exact arithmetic
#: (a position of 400 digits made every status answer of a queued job an error).
MAX_QUEUE_POSITION = 1_000_000


def _parse_faults(
    ctx: click.Context, param: click.Parameter, specs: tuple[str, ...]
) -> list[Fault]:
    faults = []
    for spec in specs:
        try:
            faults.append(parse_fault(spec))
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return faults


def _check_token(ctx: click.Context, param: click.Parameter, token: str | None) -> str | None:
    """The clients refuse a token with whitespace or control characters (a stray newline from
    a file), so a server accepting only such a token could never be used."""
    if token and any(ch.isspace() or not ch.isprintable() for ch in token):
        raise click.BadParameter(
            f"the token holds whitespace or control characters ({len(token)} characters given)",
            ctx=ctx,
            param=param,
        )
    return token


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0: any free."
)
@click.option(
    "--schemas",
    "schemas_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder of model files; every model in it is served.",
)
@click.option(
    "--token",
    envvar="RUNCOMFY_API_TOKEN",
    callback=_check_token,
    help="The one accepted Bearer token [default: $RUNCOMFY_API_TOKEN, else a random one].",
)
@click.option("--queue-seconds", type=SECONDS, default=2.0, show_default=True)
@click.option("--progress-seconds", type=SECONDS, default=3.0, show_default=True)
@click.option(
    "--queue-position",
    type=click.IntRange(0, MAX_QUEUE_POSITION),
    default=3,
    show_default=True,
    help="queue_position a new job starts at (counts down to 0).",
)
@click.option(
    "--fault",
    "fault_specs",
    multiple=True,
    callback=_parse_faults,
    metavar="SPEC",
    help='Inject a fault, e.g. "POST /v1/models/*:503:count=2" (repeatable; docs/serve.md).',
)
@click.option(
    "--faults",
    "faults_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file: a list of fault objects.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not log each request.")
def serve_command(
    host: str,
    port: int,
    schemas_dir: Path,
    token: str | None,
    queue_seconds: float,
    progress_seconds: float,
    queue_position: int,
    fault_specs: list[Fault],
    faults_file: Path | None,
    quiet: bool,
) -> None:
    """Serve RunComfy's queue API (submit, status, result, cancel) for every model in SCHEMAS.

    Bodies are validated against each model's normalized schema; jobs move in_queue ->
    in_progress -> completed on the given schedule and their results point at small real
    files served here. Stop with Ctrl-C.
    """
    faults = [*(load_faults_file(faults_file) if faults_file else []), *fault_specs]
    generated_token = not token
    token = token or secrets.token_urlsafe(18)
    schedule = Schedule(
        queue_seconds=queue_seconds,
        progress_seconds=progress_seconds,
        queue_polls=0,
        progress_polls=0,
        queue_start_position=queue_position,
    )
    try:
        server = create_server(
            schemas_dir,
            token=token,
            schedule=schedule,
            faults=faults,
            host=host,
            port=port,
            log=None if quiet or verbosity() < 0 else click.echo,
        )
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise click.exceptions.Exit(EXIT_INPUT_ERROR) from None
    models = sorted(server.state.catalog.models)
    click.echo(f"serving {len(models)} model(s) on {server.base_url}")
    if generated_token:
        click.echo(f"token: {token}  (export RUNCOMFY_API_TOKEN={token})")
    if not _is_loopback(host):
        click.echo(f"warning: listening on {host}, reachable beyond this machine", err=True)
    for fault in faults:
        click.echo(f"fault: {fault.describe()}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.stop()
