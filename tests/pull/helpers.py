"""Run ``pull`` against a server, and compare folders byte for byte."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from generator.cli import cli

__all__ = ["TOKEN", "pull", "tree"]

TOKEN = "pull-test-token-3f9a"


def pull(base_url: str, schemas: Path, *args: str, token: str = TOKEN) -> Result:
    return CliRunner().invoke(
        cli,
        ["pull", "--schemas-dir", str(schemas), "--base-url", base_url, *args],
        env={"RUNCOMFY_API_TOKEN": token},
        catch_exceptions=False,
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
