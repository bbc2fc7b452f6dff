"""``runcomfy-codegen run MODEL_ID``: run one model through the generated Python client.

The generated package (``generated/python`` by default) is imported as it is, so ``run`` does
what a user's program does: validate locally, submit once, poll with ``on_update``, print the
output URLs and, with ``--out``, save the files. Progress goes to stderr (a live line on a
terminal, plain lines otherwise); stdout gets only the output URLs (or, with ``--no-wait``,
the request id and its URLs), so it can be piped.

Exit status: 0 done; 1 the job failed, was cancelled or timed out, or the API refused to
serve (token, network, server errors); 2 usage or validation error (local or the server's);
130 interrupted by Ctrl-C (a queued job is cancelled first; its request id is always printed).

Only the generated package's public names are used (the package, ``runcomfy_models`` unless
``--import-name`` or the configuration names another, and its ``_runtime`` exports), as a
user's program would.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import threading
import time
import typing
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from rich.console import Console, RenderableType
from rich.live import Live
from rich.spinner import Spinner

from generator.cli._app import EXIT_INPUT_ERROR, EXIT_INTERRUPTED
from generator.cli._config import import_name_option
from generator.cli._params import SECONDS
from generator.errors import InputError, escape_pointer_token, unescape_pointer_token
from generator.limits import MAX_INPUT_FILE_BYTES, read_bounded
from generator.runtime._protocol import JOB_ACTIONS, job_path

__all__ = ["run_command"]

EXIT_JOB_FAILED = 1


class _Usage(Exception):
    """A problem with what the user asked for: one line, exit status 2."""


def _echo(message: str, *, err: bool = False) -> None:
    """Print one line whose parts may come from the server (request ids, output URLs, error
    messages): its control characters are shown escaped, never sent to the terminal. Not
    ``one_line``: an output URL is printed as the server wrote it, runs of spaces included."""
    click.echo("".join(c if c.isprintable() else repr(c)[1:-1] for c in message), err=err)


class _WarningLines(logging.Handler):
    """The package's log records (a result's malformed pieces, a cancel that failed at the
    deadline) as ``warning: ...`` lines, escaped like every other line. Without it Python's
    last-resort handler printed them raw, and a result's warnings appeared twice."""

    def emit(self, record: logging.LogRecord) -> None:
        _echo(f"warning: {record.getMessage()}", err=True)


@contextmanager
def _package_log_as_warnings(import_name: str) -> Iterator[None]:
    logger = logging.getLogger(import_name)
    handler, propagate = _WarningLines(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _import_package(package_dir: Path, import_name: str) -> ModuleType:
    folder = package_dir.resolve()
    if not (folder / import_name / "__init__.py").is_file():
        raise _Usage(
            f"{package_dir}: no generated package {import_name}/ (run `runcomfy-codegen "
            "generate`, or name the package with --import-name)"
        )
    sys.path.insert(0, str(folder))
    package = importlib.import_module(import_name)
    origin = Path(str(package.__file__)).resolve()
    if not origin.is_relative_to(folder):
        raise _Usage(f"{import_name} was already imported from {origin.parent}, not {package_dir}")
    return package


class _Model:
    """One model of the generated package: its endpoint, input fields and validator."""

    def __init__(self, package: ModuleType, model_id: str) -> None:
        models: Mapping[str, str] = package.MODELS
        if model_id not in models:
            known = ", ".join(sorted(models))
            raise _Usage(f"unknown model {model_id!r} (this package has: {known})")
        self.model_id = model_id
        self.attribute = models[model_id]
        self.module = importlib.import_module(f"{package.__name__}.models.{self.attribute}")
        input_class: Any = self.module.INPUT_TYPE
        #: wire key -> Python name, in schema order.
        self.python_names: dict[str, str] = {
            (field.alias or name): name for name, field in input_class.model_fields.items()
        }
        self.wire_keys = {python: wire for wire, python in self.python_names.items()}
        self.properties: Mapping[str, Any] = self.module.INPUT_SCHEMA.get("properties", {})

    def wire_key(self, key: str) -> str:
        if key in self.python_names:
            return key
        if key in self.wire_keys:
            return self.wire_keys[key]
        keys = ", ".join(
            key if key == python else f"{key} ({python})"
            for key, python in self.python_names.items()
        )
        raise _Usage(f"unknown input key {key!r} for {self.model_id} (keys: {keys})")

    def json_type(self, wire_key: str) -> Any:
        return self.properties.get(wire_key, {}).get("type")

    def validate(self, payload: Mapping[str, Any]) -> list[Any]:
        issues: list[Any] = self.module.validate(payload)
        return issues


class _NotJSONNumber(ValueError):
    pass


def _no_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON (no request can carry them): Python's reader takes
    them, the validator let ``NaN`` through every bound, and sending it crashed."""
    raise _NotJSONNumber(f"{name} is not a JSON number")


def _set_value(model: _Model, wire_key: str, text: str) -> Any:
    """``--set`` values are JSON when they parse, else text; a string field keeps the text
    (``--set prompt=42`` means the prompt "42"), and one value for a list field becomes a
    one-item list."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (json.JSONDecodeError, _NotJSONNumber):
        value = text
    kind = model.json_type(wire_key)
    if kind == "string" and not isinstance(value, str):
        value = text
    if kind == "array" and not isinstance(value, list):
        value = [value]
    return value


def _payload(model: _Model, input_file: Path | None, settings: tuple[str, ...]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if input_file is not None:
        raw = read_bounded(input_file, MAX_INPUT_FILE_BYTES, "an input file")
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        except UnicodeDecodeError as exc:
            raise InputError(str(input_file), f"cannot read: {exc}") from None
        except RecursionError:
            raise InputError(str(input_file), "not usable JSON: nested too deeply") from None
        except json.JSONDecodeError as exc:
            raise InputError(
                str(input_file), f"not valid JSON (line {exc.lineno} column {exc.colno}): {exc.msg}"
            ) from None
        except _NotJSONNumber as exc:
            raise InputError(str(input_file), f"not valid JSON: {exc}") from None
        except ValueError:  # int() of a number of 4,300+ digits
            raise InputError(
                str(input_file), "not usable JSON: a number with too many digits"
            ) from None
        if not isinstance(data, dict):
            raise InputError(str(input_file), "the input must be a JSON object", "")
        for key, value in data.items():
            wire_key = model.wire_key(key)
            if wire_key in payload:  # its Python name and its wire key: which one is meant?
                raise InputError(
                    str(input_file),
                    f"another key already names the input {wire_key!r}",
                    "/" + escape_pointer_token(key),
                )
            payload[wire_key] = value
    for setting in settings:
        key, equals, text = setting.partition("=")
        if not equals or not key:
            raise _Usage(f"--set {setting!r} is not key=value")
        wire_key = model.wire_key(key)
        payload[wire_key] = _set_value(model, wire_key, text)
    return payload


def _describe(model: _Model, issue: Any) -> str:
    """``MODEL: /pointer (python name): message [rule]``."""
    pointer = issue.pointer or "/"
    key = unescape_pointer_token(pointer.split("/")[1]) if pointer != "/" else ""
    python = model.python_names.get(key)
    named = f" ({python})" if python and python != key else ""
    rule = f" [{issue.rule}]" if getattr(issue, "rule", None) else ""
    return f"{model.model_id}: {pointer}{named}: {issue.message}{rule}"


def _report_issues(model: _Model, issues: list[Any]) -> None:
    errors = [issue for issue in issues if issue.is_error]
    for issue in errors:
        _echo(f"error: {_describe(model, issue)}", err=True)
    unchecked: dict[str, int] = {}
    for issue in issues:
        if not issue.is_error:
            unchecked[issue.pointer] = unchecked.get(issue.pointer, 0) + 1
    for pointer, count in unchecked.items():
        _echo(
            f"note: {pointer}: {count} file rule(s) need the file itself; not checked locally",
            err=True,
        )
    if errors:
        raise click.exceptions.Exit(EXIT_INPUT_ERROR)


class _Progress:
    """Status, queue position and elapsed time: a live line on a terminal, else plain lines."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.monotonic()
        self.last: Any = None
        self._spinner = Spinner("dots")
        self._live: Live | None = None

    def _line(self) -> str:
        elapsed = time.monotonic() - self.started
        status = self.last.status if self.last is not None else "submitted"
        position = getattr(self.last, "queue_position", None)
        queue = f"  queue position {position}" if position is not None else ""
        return f"{status}{queue}  {elapsed:.1f}s"

    def __rich__(self) -> RenderableType:
        self._spinner.update(text=self._line())
        return self._spinner

    def on_update(self, update: Any) -> None:
        self.last = update
        if self._live is None:
            _echo(self._line(), err=True)

    @contextmanager
    def shown(self) -> Iterator[_Progress]:
        if not self.console.is_terminal:
            yield self
            return
        with Live(self, console=self.console, refresh_per_second=8, transient=True) as live:
            self._live = live
            try:
                yield self
            finally:
                self._live = None
        _echo(self._line(), err=True)  # the last state stays on screen


def _request_urls(base_url: str, request_id: str) -> dict[str, str]:
    return {f"{action}_url": base_url + job_path(request_id, action) for action in JOB_ACTIONS}


def _cancel_and_exit(handle: Any) -> typing.NoReturn:
    """Ctrl-C with a job out there: cancel it (a running one answers not_cancellable)."""
    _echo(f"interrupted: cancelling {handle.request_id} ...", err=True)
    try:
        outcome = handle.cancel()
    except Exception as exc:  # the generated package's RunComfyError, or anything else
        _echo(f"error: cancel of {handle.request_id} failed: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    if outcome.cancelled:
        _echo(f"cancelled: {handle.request_id}", err=True)
    else:
        _echo(
            f"not cancelled ({outcome.outcome}): {handle.request_id} runs on; "
            f"fetch it later from its result_url",
            err=True,
        )
    raise click.exceptions.Exit(EXIT_INTERRUPTED)


def _in_background(work: Callable[[], Any]) -> Future[Any]:
    """``work()`` in a daemon thread (one that cannot hold up the exit); its future."""
    future: Future[Any] = Future()

    def target() -> None:
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to the waiting thread, which raises it
            future.set_exception(exc)

    threading.Thread(target=target, name="runcomfy-submit", daemon=True).start()
    return future


def _submit_interruptibly(submit: Callable[[], Any], runtime: ModuleType) -> Any:
    """``submit()`` in a worker thread, so Ctrl-C cannot cut it off mid-request.

    On Ctrl-C the answer is still awaited (a second Ctrl-C stops waiting): a job it created
    is then cancelled and named, instead of being left queued and billed unseen.
    """
    future = _in_background(submit)
    try:
        return future.result()
    except KeyboardInterrupt:
        _echo("interrupted: waiting for the submit's answer to cancel its job", err=True)
    try:
        handle = future.result()
    except KeyboardInterrupt:
        _echo(
            "error: interrupted again: a job may have been created; check the RunComfy "
            "dashboard before submitting again",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    except runtime.SubmissionUncertainError as exc:
        _echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    except runtime.RunComfyError:
        _echo("interrupted: the submit failed; no job was created", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    _cancel_and_exit(handle)


@click.command("run")
@click.argument("model_id")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="An input value, by Python name or wire key; VALUE is JSON when it parses (repeatable).",
)
@click.option(
    "--input",
    "input_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON object of inputs (--set values override it).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Save the output files here.",
)
@click.option(
    "--base-url",
    envvar="RUNCOMFY_BASE_URL",
    show_default=True,  # shows a configured base-url; nothing when there is none
    help="API base URL [$RUNCOMFY_BASE_URL].",
)
@click.option("--token", envvar="RUNCOMFY_API_TOKEN", help="API token [$RUNCOMFY_API_TOKEN].")
@click.option("--no-wait", is_flag=True, help="Submit, print the request id and URLs, exit.")
@click.option("--timeout", type=SECONDS, help="Give up waiting after SECONDS.")
@click.option(
    "--poll-interval",
    type=SECONDS,
    help="First pause between status polls, in seconds (the client's default: 0.5).",
)
@click.option(
    "--package-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("generated/python"),
    show_default=True,
    help="Folder holding the generated package (see --import-name).",
)
@import_name_option("The generated package's import name (python/NAME/ in --package-dir).")
def run_command(
    model_id: str,
    settings: tuple[str, ...],
    input_file: Path | None,
    out_dir: Path | None,
    base_url: str | None,
    token: str | None,
    no_wait: bool,
    timeout: float | None,
    poll_interval: float | None,
    package_dir: Path,
    import_name: str,
) -> None:
    """Validate, submit and follow one job of MODEL_ID; print its output URLs.

    Ctrl-C cancels the job if it is still queued (a running job cannot be cancelled) and
    exits 130; during the submit it first waits for the server's answer.
    """
    try:
        with _package_log_as_warnings(import_name):
            _run(
                model_id,
                settings,
                input_file,
                out_dir,
                base_url,
                token,
                no_wait,
                timeout,
                poll_interval,
                package_dir,
                import_name,
            )
    except KeyboardInterrupt:  # before the submit, or while saving: nothing to cancel
        _echo("interrupted", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


def _run(
    model_id: str,
    settings: tuple[str, ...],
    input_file: Path | None,
    out_dir: Path | None,
    base_url: str | None,
    token: str | None,
    no_wait: bool,
    timeout: float | None,
    poll_interval: float | None,
    package_dir: Path,
    import_name: str,
) -> None:
    try:
        package = _import_package(package_dir, import_name)
        model = _Model(package, model_id)
        payload = _payload(model, input_file, settings)
    except _Usage as exc:
        _echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_INPUT_ERROR) from None
    _report_issues(model, model.validate(payload))

    runtime: ModuleType = package._runtime  # the public runtime exports, as users see them
    options: dict[str, Any] = {"base_url": base_url}
    if poll_interval is not None:
        options["poll_policy"] = runtime.PollPolicy(initial_interval=poll_interval)
    try:
        client = package.RunComfy(token, **options)
    except (runtime.RunComfyError, ValueError) as exc:
        _echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_INPUT_ERROR) from None
    with client:
        _submit_and_follow(runtime, client, model, payload, no_wait, timeout, out_dir)


def _submit_and_follow(
    runtime: ModuleType,
    client: Any,
    model: _Model,
    payload: dict[str, Any],
    no_wait: bool,
    timeout: float | None,
    out_dir: Path | None,
) -> None:
    endpoint = getattr(client, model.attribute)
    arguments = {model.python_names[key]: value for key, value in payload.items()}
    try:
        # Validated above, with the same validator; the client need not repeat it.
        handle = _submit_interruptibly(
            lambda: endpoint.submit(**arguments, validate_input=False), runtime
        )
    except runtime.InputValidationError as exc:
        _echo(f"error: the server refused the input: {exc}", err=True)
        for issue in getattr(exc, "issues", []):
            _echo(f"error: {_describe(model, issue)}", err=True)
        raise click.exceptions.Exit(EXIT_INPUT_ERROR) from None
    except runtime.RunComfyError as exc:
        _echo(f"error: submit failed: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_JOB_FAILED) from None
    if no_wait:
        _echo(f"request_id: {handle.request_id}")
        for name, url in _request_urls(client.base_url, handle.request_id).items():
            _echo(f"{name}: {url}")
        return
    _echo(f"submitted: {handle.request_id}", err=True)
    progress = _Progress(Console(stderr=True))
    try:
        with progress.shown():
            result = handle.wait(wait_timeout=timeout, on_update=progress.on_update)
    except KeyboardInterrupt:
        _cancel_and_exit(handle)
    except runtime.RunComfyError as exc:
        _echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_JOB_FAILED) from None
    for url in result.urls():
        _echo(url)
    if out_dir is not None:
        _save(runtime, result, out_dir)


def _save(runtime: ModuleType, result: Any, out_dir: Path) -> None:
    """Save the http(s) files; a URL of another scheme (already a warning line) is never
    fetched, and leaves the save incomplete: exit 1 after the rest is saved."""
    try:
        saved = result.save(out_dir, skip_unsupported=True)
    except (runtime.RunComfyError, OSError) as exc:
        _echo(f"error: saving the files failed: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_JOB_FAILED) from None
    for path in saved:
        _echo(f"saved: {path}", err=True)
    skipped = result.unsupported_urls()
    if skipped:
        listed = ", ".join(f"output{pointer}" for pointer, _ in skipped)
        _echo(f"error: not saved (not an http(s) URL): {listed}", err=True)
        raise click.exceptions.Exit(EXIT_JOB_FAILED)
