"""What "in black's layout" means for a generated file: a full black pass changes nothing."""

from __future__ import annotations

import black

from generator.render.python.layout import BLACK_MODE


def changed_by_black(files: dict[str, str]) -> list[str]:
    """The rendered Python files of ``files`` (path -> text) that a full black pass would
    change. The vendored runtime is not rendered: it is copied as the project formats it."""
    return [
        path
        for path, text in sorted(files.items())
        if path.endswith(".py")
        and "/_runtime/" not in path
        and black.format_str(text, mode=BLACK_MODE) != text
    ]
