"""Ctrl-C while the CLI module is still being imported: one line, exit 130, no traceback."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest

from generator import _entry
from generator.cli._app import EXIT_INTERRUPTED


class _InterruptImport:
    """A meta path finder that acts as a Ctrl-C arriving while ``generator.cli`` loads."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name == "generator.cli":
            raise KeyboardInterrupt
        return None


def test_interrupt_while_loading_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [n for n in sys.modules if n == "generator.cli" or n.startswith("generator.cli.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_InterruptImport(), *sys.meta_path])
    with pytest.raises(SystemExit) as ended:
        _entry.main()
    assert ended.value.code == EXIT_INTERRUPTED == 130
    assert capsys.readouterr().err == "error: interrupted\n"
