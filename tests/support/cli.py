"""Running the command line in process, as the tests of every command do."""

from __future__ import annotations

from click.testing import CliRunner

from generator.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    """``runcomfy-codegen ARGS``: exit status, stdout, stderr. Anything but a normal exit
    (an exception the CLI let through) fails the test with its traceback."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr
