"""Which folders a command may write: the one check that what a run writes and what it reads
(or what the user works in) stay apart.

``generate`` replaces its output folder as a whole. An ``--out`` that is, holds or sits inside
a folder the run reads (``--schemas``, ``--templates``, the bundled templates) would take those
inputs with it, or leave generated files among them that the next run reads as input (the
manifest parsed as a model file): ``generate --out schemas --force`` made every later run fail.
``--force`` only keeps files that generate did not write; it never lifts these rules. The
cache folder, and the folder ``import``/``pull`` write model files into, follow the same rule
against the folders they must not mix with.

Paths are compared resolved (symlinks followed, ``..`` removed), whether or not they exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.errors import InputError
from generator.output.cache import default_cache_dir

__all__ = [
    "DEFAULT_OUT_DIR",
    "check_apart",
    "check_generate_folders",
    "check_model_files_folder",
]

#: ``generate --out``'s default, and the output folder ``import``/``pull`` keep out of when
#: the configuration names none.
DEFAULT_OUT_DIR = Path("generated")

IS, HOLDS, INSIDE = "is", "holds", "is inside"


def _relation(folder: Path, other: Path) -> str | None:
    """How ``folder`` lies against ``other``: the same folder, a parent, a child, or apart."""
    a, b = folder.resolve(), other.resolve()
    if a == b:
        return IS
    if b.is_relative_to(a):
        return HOLDS
    if a.is_relative_to(b):
        return INSIDE
    return None


def check_apart(
    folder: Path,
    option: str,
    others: Iterable[tuple[str, Path]],
    advice: str,
    *,
    refused: tuple[str, ...] = (IS, HOLDS, INSIDE),
) -> None:
    """Refuse ``folder`` (given as ``option``) when it ``refused``-relates to one of ``others``
    (``(what it is, path)``): one line naming both paths, then ``advice``."""
    for label, other in others:
        relation = _relation(folder, other)
        if relation in refused:
            raise InputError(str(folder), f"{option} {relation} the {label} {other}; {advice}")


def _templates(templates_dir: Path | None) -> list[tuple[str, Path]]:
    # Imported here: it loads jinja2, which import and pull never need.
    from generator.render.templates import default_templates_dir

    found = [("bundled templates folder", default_templates_dir())]
    return [("--templates folder", templates_dir), *found] if templates_dir else found


def check_generate_folders(
    out_dir: Path,
    schemas_dir: Path,
    templates_dir: Path | None,
    cache_dir: Path | None,
    *,
    project_file: Path | None = None,
    writing: bool = True,
) -> None:
    """The folders of one ``generate`` run, before anything is read or written.

    ``cache_dir`` is the cache folder in use (None: ``--no-cache``); ``writing`` is False for
    ``--check``, which writes no output folder (only the cache); ``project_file`` is the
    configuration file read, whose folder is the project's.
    """
    inputs = [("--schemas folder", schemas_dir), *_templates(templates_dir)]
    cwd = Path.cwd()
    if writing:
        check_apart(
            out_dir,
            "--out",
            [("current folder", cwd)],
            "generate replaces --out as a whole; choose a subfolder",
            refused=(IS, HOLDS),
        )
        if project_file is not None:
            check_apart(
                out_dir,
                "--out",
                [(f"folder of {project_file.name}", project_file.parent)],
                "generate replaces --out as a whole; choose a subfolder",
                refused=(IS, HOLDS),
            )
        check_apart(
            out_dir,
            "--out",
            inputs,
            "generate replaces --out as a whole, so what it reads would be lost or read back "
            "as input: choose another --out (--force does not change this)",
        )
    if cache_dir is not None:
        cache_option = "--cache-dir" if cache_dir != default_cache_dir(out_dir) else "the cache"
        check_apart(
            cache_dir,
            cache_option,
            [("current folder", cwd)],
            "cache pruning would reach the project's files; choose a subfolder",
            refused=(IS, HOLDS),
        )
        check_apart(
            cache_dir,
            cache_option,
            [*inputs, ("--out folder", out_dir)],
            "cache entries would mix with its files; choose a --cache-dir of its own",
        )


def check_model_files_folder(schemas_dir: Path, out_dir: Path | None) -> None:
    """``import``/``pull`` write model files into ``schemas_dir``: never in or around the output
    folder ``generate`` replaces (``out_dir``: the configured one, else ``generated``), where
    they would be lost on the next run or its files read as model files."""
    check_apart(
        schemas_dir,
        "--schemas-dir",
        [("generate --out folder", out_dir or DEFAULT_OUT_DIR)],
        "generate replaces it as a whole; keep model files apart from it",
    )
