"""The ``runcomfy-codegen`` console script: Ctrl-C while the CLI is still loading is one line.

Loading click, the configuration and the command table takes a moment; an interrupt then would
otherwise end in a ``KeyboardInterrupt`` traceback. Nothing heavy is imported here.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

#: As ``generator.cli._app.EXIT_INTERRUPTED`` (not imported: that module is what may be loading).
_EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from generator.cli import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        raise SystemExit(_EXIT_INTERRUPTED) from None
    cli_main()
