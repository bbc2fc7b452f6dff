"""The generated package this runtime serves, found from the runtime's own module name.

``generate`` copies the runtime byte for byte into every package it writes, as
``<import name>._runtime``, and the import name is the user's to choose (``import-name`` in
``[tool.runcomfy-codegen]``). So nothing here spells the package's name: the package is the
one that holds ``_runtime``, and its distribution name and version are its own
``__distribution__`` and ``__version__``.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["PACKAGE", "distribution", "logger", "user_agent", "version"]

#: The package's import name: ``acme_models`` for ``acme_models._runtime._package`` (and
#: ``generator`` for the generator's own copy, which its unit tests import). The parent of the
#: runtime package rather than the first dotted part, so a generated package vendored into
#: another (``app.vendor.acme_models``) still finds itself.
PACKAGE = __name__.rsplit(".", 2)[0]
#: Every request, retry, malformed answer and skipped file check is logged here (URLs and
#: statuses only, never headers); ``logging.getLogger("<import name>")`` configures it.
logger = logging.getLogger(PACKAGE)


def _package_text(attribute: str) -> str | None:
    value = getattr(sys.modules.get(PACKAGE), attribute, None)
    return value if isinstance(value, str) and value else None


def distribution() -> str:
    """The package's distribution name (``pip install`` it): its ``__distribution__``."""
    return _package_text("__distribution__") or PACKAGE


def version() -> str:
    """The package's version: its ``__version__``, else its installed metadata."""
    found = _package_text("__version__")
    if found is not None:
        return found
    # Only now: importlib.metadata costs about 20 ms of every import of the package.
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution())
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def user_agent() -> str:
    """``<distribution>/<version>``: RunComfy's other clients name themselves too."""
    return f"{distribution()}/{version()}"
