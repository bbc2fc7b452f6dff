"""HTTP to RunComfy's model catalog: every page fetched and checked, or an error naming why.

The requests are the ones RunComfy's own clients send (docs/pull.md, "Protocol"):
``GET /v1/models?include_schema=true&limit=&offset=`` -> ``{"models": [...], "total": N}``,
``GET /v1/models/{model_id}`` -> one entry, ``GET /v1/models/categories`` ->
``{"categories": [...]}``, with ``Authorization: Bearer <token>``.

Reading is idempotent, so transient failures (connection errors, truncated answers, 408, 425,
429, 5xx) are retried with the generated runtime's backoff policy, honouring ``Retry-After``.
Every other surprise is an :class:`InputError` (one line, exit 2): a refused token, a redirect
(never followed: the token goes to ``--base-url`` only), an answer that is too large, not JSON
or not of the documented shape. The token never appears in a message: server text is redacted
before it is cut short.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx

from generator.errors import InputError
from generator.runtime import RetryPolicy
from generator.runtime._policy import (
    is_retryable_status,
    is_retryable_transport_error,
    parse_retry_after,
)
from generator.runtime._protocol import Secret, api_root

__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_MODELS",
    "PAGE_SIZE",
    "CatalogClient",
    "ModelNotInCatalog",
    "check_base_url",
]

#: Models asked for per page (RunComfy's CLI pages the same way with limit/offset).
PAGE_SIZE = 100
#: No answer may be larger: the whole catalog with schemas is a few MiB today.
MAX_ANSWER_BYTES = 32 * 1024 * 1024
#: No catalog may hold more models (a server claiming more is refused, not paged for ever).
MAX_MODELS = 10_000
#: How much server text an error message keeps.
_MESSAGE_CHARS = 200
_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=30.0, pool=30.0)


class ModelNotInCatalog(InputError):
    """``GET /v1/models/{model_id}`` answered 404."""


def _user_agent() -> str:
    try:
        return f"runcomfy-codegen/{version('runcomfy-codegen')}"
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "runcomfy-codegen"


def check_base_url(base_url: str) -> str:
    """``base_url`` without a trailing slash or ``/v1``, or an InputError when it is not
    http(s)://host."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("--base-url", f"expected http(s)://host[:port], not {base_url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InputError("--base-url", "must not hold a query, fragment or user name")
    return api_root(base_url)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is too large for a number")
    return value


class CatalogClient:
    """A synchronous client of the catalog endpoints (``with CatalogClient(...) as c: ...``)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        retry: RetryPolicy | None = None,
        page_size: int = PAGE_SIZE,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._token = Secret(token)
        self._retry = retry or RetryPolicy()
        self._page_size = page_size
        self._max_bytes = max_answer_bytes
        self._sleep = sleep
        self._http = httpx.Client(
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": _user_agent(),
            },
            timeout=_TIMEOUT,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"CatalogClient(base_url={self.base_url!r})"

    def __enter__(self) -> CatalogClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- the three endpoints ------------------------------------------------------------------

    def list_models(self, *, include_schema: bool = True) -> list[dict[str, Any]]:
        """Every entry of the catalog, all pages read; the entries are objects (their fields
        are checked by the caller, ``generator.catalog.entry``)."""
        entries: list[dict[str, Any]] = []
        total: int | None = None
        seen: set[Any] = set()
        while total is None or len(entries) < total:
            query: dict[str, str] = {"limit": str(self._page_size), "offset": str(len(entries))}
            if include_schema:
                query = {"include_schema": "true", **query}
            path = "/v1/models?" + urlencode(query)
            page = self._get(path)
            models, page_total = _page_parts(page, self._label(path))
            if total is None:
                if page_total > MAX_MODELS:
                    raise InputError(
                        self._label(path),
                        f"the catalog claims {page_total} models (more than {MAX_MODELS})",
                        "/total",
                    )
                total = page_total
            elif page_total != total:
                raise InputError(
                    self._label(path),
                    f"the catalog changed while it was read (total {total}, then {page_total}); "
                    "run pull again",
                    "/total",
                )
            if not models and len(entries) < total:
                raise InputError(
                    self._label(path),
                    f"no models at offset {len(entries)} though total says {total}: "
                    "the catalog answer is incomplete",
                    "/models",
                )
            for index, entry in enumerate(models):
                model_id = entry.get("model_id")
                if isinstance(model_id, str) and model_id in seen:
                    raise InputError(
                        self._label(path),
                        f"model {model_id!r} is on two pages: the catalog changed while it "
                        "was read; run pull again",
                        f"/models/{index}/model_id",
                    )
                if isinstance(model_id, str):
                    seen.add(model_id)
            entries.extend(models)
            if len(entries) > total:
                raise InputError(
                    self._label(path),
                    f"more models than the total of {total}: the catalog answer is inconsistent",
                    "/models",
                )
        return entries

    def get_model(self, model_id: str) -> dict[str, Any]:
        """One entry with its input schema; :class:`ModelNotInCatalog` when it has none."""
        path = "/v1/models/" + quote(model_id, safe="/")
        answer = self._get(path, missing_ok=True)
        if answer is None:
            raise ModelNotInCatalog(f"catalog:{model_id}", "not in the catalog (HTTP 404)")
        if not isinstance(answer, dict):
            raise InputError(self._label(path), "expected a model entry (a JSON object)", "")
        return answer

    def categories(self) -> list[str]:
        path = "/v1/models/categories"
        answer = self._get(path)
        found = answer.get("categories") if isinstance(answer, dict) else None
        if not isinstance(found, list) or not all(isinstance(c, str) for c in found):
            raise InputError(self._label(path), 'expected {"categories": [strings]}', "")
        return found

    # -- one GET, with retries ----------------------------------------------------------------

    def _label(self, path: str) -> str:
        return f"GET {self.base_url}{path}"

    def _redacted(self, text: str) -> str:
        # Redact first, then cut: a cut could leave most of the token behind.
        shown: str = self._token.redact(" ".join(text.split()))
        return shown if len(shown) <= _MESSAGE_CHARS else shown[:_MESSAGE_CHARS] + "..."

    def _get(self, path: str, *, missing_ok: bool = False) -> Any:
        label = self._label(path)
        attempt = 0
        while True:
            try:
                status, headers, body = self._fetch(path, label)
            except httpx.TransportError as exc:
                if attempt < self._retry.max_retries and is_retryable_transport_error(
                    exc, idempotent=True
                ):
                    self._sleep(self._retry.delay(attempt))
                    attempt += 1
                    continue
                detail = self._redacted(str(exc)) or "no detail"
                tries = f" after {attempt + 1} tries" if attempt else ""
                raise InputError(
                    label, f"cannot read the catalog{tries}: {type(exc).__name__}: {detail}"
                ) from None
            if status == 200:
                return self._json(body, label)
            if missing_ok and status == 404:
                return None
            if is_retryable_status(status, idempotent=True) and attempt < self._retry.max_retries:
                retry_after = parse_retry_after(headers.get("retry-after"))
                if retry_after is not None and retry_after > self._retry.max_retry_after:
                    raise InputError(
                        label,
                        f"HTTP {status}: the catalog asks to wait {retry_after:g} s "
                        f"(more than {self._retry.max_retry_after:g} s); try again later",
                    )
                self._sleep(self._retry.delay(attempt, retry_after))
                attempt += 1
                continue
            raise InputError(label, self._status_message(status, headers, body, attempt))

    def _fetch(self, path: str, label: str) -> tuple[int, Mapping[str, str], bytes]:
        """Status, headers and body (at most ``max_answer_bytes``) of one GET."""
        with self._http.stream("GET", self.base_url + path) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self._max_bytes:
                raise InputError(
                    label, f"answer of {declared} bytes is over the cap of {self._max_bytes}"
                )
            chunks: list[bytes] = []
            size = 0
            try:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise InputError(
                            label, f"answer is over the cap of {self._max_bytes} bytes"
                        )
                    chunks.append(chunk)
            except httpx.DecodingError as exc:
                # The body is not what its Content-Encoding says; another try would not help.
                encoding = self._redacted(response.headers.get("content-encoding", ""))
                raise InputError(
                    label,
                    f"the answer cannot be decoded (Content-Encoding: {encoding}): "
                    f"{self._redacted(str(exc))}",
                ) from None
            return response.status_code, response.headers, b"".join(chunks)

    def _json(self, body: bytes, label: str) -> Any:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(label, "the answer is not UTF-8 text") from None
        try:
            data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite)
        except RecursionError:
            raise InputError(label, "the answer is nested too deeply") from None
        except ValueError as exc:
            start = self._redacted(text[:80]) or "an empty body"
            raise InputError(
                label, f"the answer is not JSON ({exc}); it starts with {start!r}"
            ) from None
        if isinstance(data, dict) and data.get("error_code") not in (None, ""):
            # RunComfy sometimes answers HTTP 200 with an error body.
            raise InputError(label, f"the catalog answered an error: {self._server_text(data)}")
        return data

    def _server_text(self, data: Any) -> str:
        if isinstance(data, dict):
            code = data.get("error_code")
            for key in ("error_message", "message", "error", "detail"):
                value = data.get(key)
                if isinstance(value, str) and value.strip():
                    text = self._redacted(value)
                    return f"{text} (error_code {code})" if code is not None else text
            if code is not None:
                return f"error_code {self._redacted(str(code))}"
        return "no message"

    def _status_message(
        self, status: int, headers: Mapping[str, str], body: bytes, attempt: int
    ) -> str:
        try:
            data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            data = None
        said = (
            self._server_text(data)
            if data is not None
            else self._redacted(body.decode("utf-8", "replace")[:_MESSAGE_CHARS]) or "no message"
        )
        if status in (401, 403):
            return (
                f"HTTP {status}: the catalog refused the token; set RUNCOMFY_API_TOKEN to a "
                f"valid API token ({said})"
            )
        if 300 <= status < 400:
            where = self._redacted(headers.get("location", "nowhere"))
            return (
                f"HTTP {status}: redirected to {where}; not followed "
                "(the token goes to --base-url only)"
            )
        tries = f" after {attempt + 1} tries" if attempt else ""
        return f"HTTP {status}{tries}: {said}"


def _page_parts(page: Any, label: str) -> tuple[list[dict[str, Any]], int]:
    """The ``models`` and ``total`` of one listing page, or an InputError on another shape."""
    if not isinstance(page, dict):
        raise InputError(label, 'expected {"models": [...], "total": N}', "")
    models = page.get("models")
    if not isinstance(models, list):
        raise InputError(label, "expected a list of models", "/models")
    for index, entry in enumerate(models):
        if not isinstance(entry, dict):
            raise InputError(label, "expected a model entry (an object)", f"/models/{index}")
    total = page.get("total")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise InputError(label, f"expected a count >= 0, not {total!r}", "/total")
    return models, total
