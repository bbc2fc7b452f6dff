"""``generated/docs/``: one Markdown page per model and an index of all models.

Python decides what a page says (rows, constraints, the example request); the templates
``docs/model.md.jinja`` and ``docs/index.md.jinja`` only lay it out. Values from a schema reach
a template raw and are escaped there by a filter (``md``, ``md_code``, ``py``, ``sh``); the
few cells that combine several values (``*_md`` attributes) are built here with the same
escaping functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from generator.config import PackageNames
from generator.errors import InputError
from generator.render.examples import example_payload
from generator.render.markdown import install_filters, md, md_code, md_fence
from generator.render.naming import class_prefix, module_name
from generator.render.templates import package_variables
from generator.schema.documented import check_model_id
from generator.schema.ir import Constraints, FieldSpec, Metric, ModelSpec, OutputFieldSpec, Rule

__all__ = [
    "DEFAULT_BASE_URL",
    "INDEX_TEMPLATE",
    "MODEL_TEMPLATE",
    "ModelPage",
    "model_page",
    "render_docs",
    "render_docs_index",
    "render_model_doc",
    "task_of",
]

INDEX_TEMPLATE = "docs/index.md.jinja"
MODEL_TEMPLATE = "docs/model.md.jinja"
#: Where the queue API lives when the documented endpoint does not say.
DEFAULT_BASE_URL = "https://model-api.runcomfy.net"

#: Model id segments that name a task without the ``<input>-to-<output>`` form.
_TASK_WORDS = frozenset(
    {
        "audio-inpaint",
        "audio-outpaint",
        "edit",
        "edit-video",
        "extend",
        "extend-video",
        "first-last-frame",
        "image",
        "inpaint",
        "music-generation",
        "outpaint",
        "transition",
        "upscale",
        "video",
        "video-edit",
    }
)
_TO_TASK = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*-to-[a-z0-9]+(?:-[a-z0-9]+)*")

_METRIC_LABELS = {
    Metric.FILE_SIZE_MB: ("file size", " MB"),
    Metric.WIDTH_PIXELS: ("width", " px"),
    Metric.HEIGHT_PIXELS: ("height", " px"),
    Metric.ASPECT_RATIO: ("aspect ratio (width/height)", ""),
}
_RANGES: tuple[tuple[str, str], ...] = (
    ("minimum", "≥"),
    ("exclusive_minimum", ">"),
    ("maximum", "≤"),
    ("exclusive_maximum", "<"),
)


def task_of(model_id: str) -> str | None:
    """The segment of ``model_id`` that names its task (``image-to-video``, ``edit``), if any.

    Owner and model name (the first two segments) never count; later segments are read from
    the end, so ``seedance-2.5/image-to-video/1080p`` gives ``image-to-video``.
    """
    for segment in reversed(model_id.split("/")[2:]):
        lowered = segment.lower()
        if _TO_TASK.fullmatch(lowered) or lowered in _TASK_WORDS:
            return lowered
    return None


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _type_text(field: FieldSpec | OutputFieldSpec, media: str | None) -> str:
    """``string``, ``string (image URL)``, ``array of string (URL)`` ..."""
    constraints = field.constraints
    items = constraints.items
    described = items if field.json_type == "array" and items is not None else constraints
    kind = str(field.item_type or "string") if field.json_type == "array" else field.json_type
    if media:
        kind += f" ({media} URL)"
    elif described.is_url:
        kind += " (URL)"
    kind = f"array of {kind}" if field.json_type == "array" else kind
    return f"{kind}, or null" if "null" in constraints.types else kind


def _constraints(c: Constraints, media_checked: bool) -> list[str]:
    """Markdown fragments, one per constraint of ``c`` (typed: no JSON Schema re-read)."""
    parts: list[str] = []
    if c.enum is not None:
        parts.append("one of " + ", ".join(md_code(_json_text(v)) for v in c.enum))
    if c.has_const:
        parts.append("exactly " + md_code(_json_text(c.const)))
    for attribute, symbol in _RANGES:
        limit = getattr(c, attribute)
        if limit is not None:
            parts.append(f"{symbol} {md_code(_json_text(limit))}")
    if c.multiple_of is not None:
        parts.append("multiple of " + md_code(_json_text(c.multiple_of)))
    if c.min_length is not None:
        parts.append(f"at least {md_code(c.min_length)} characters")
    if c.max_length is not None:
        parts.append(f"at most {md_code(c.max_length)} characters")
    if c.pattern is not None:
        parts.append("matches " + md_code(c.pattern))
    if c.format is not None and not (media_checked and c.format == "uri"):
        parts.append("format " + md_code(c.format))
    if c.min_items is not None and c.min_items == c.max_items:
        parts.append(f"exactly {md_code(c.min_items)} items")
    else:
        if c.min_items is not None:
            parts.append(f"at least {md_code(c.min_items)} items")
        if c.max_items is not None:
            parts.append(f"at most {md_code(c.max_items)} items")
    if c.unique_items:
        parts.append("items unique")
    if c.items is not None:
        parts.extend("each item: " + part for part in _constraints(c.items, media_checked))
    return parts


def rule_text(rule: Rule) -> str:
    """``file size < 4.7 MB — "File size must be less than 4.7 MB."`` (Markdown)."""
    label, unit = _METRIC_LABELS[rule.metric]
    return f'{label} {rule.operator.value} {_json_text(rule.value)}{unit} — "{md(rule.message)}"'


@dataclass(frozen=True)
class ParameterRow:
    python_name: str
    wire_key: str
    type: str
    required: bool
    #: The default as JSON text, or None when there is none.
    default: str | None
    title: str | None
    description: str | None
    #: Markdown fragments (already escaped).
    constraints_md: tuple[str, ...]
    rules_md: tuple[str, ...]
    #: True when the rules apply to each file of a list.
    rules_per_item: bool


@dataclass(frozen=True)
class OutputRow:
    python_name: str
    wire_key: str
    type: str
    description: str | None


@dataclass(frozen=True)
class CallArgument:
    python_name: str
    #: A JSON value: the template writes it with the ``py`` filter.
    value: Any


@dataclass(frozen=True)
class ModelPage:
    """Everything ``docs/model.md.jinja`` shows for one model."""

    model_id: str
    path: str
    #: Relative link from this page to the index.
    index_link: str
    description: str | None
    task: str | None
    endpoint: str
    #: The queue API's status and result URLs, with a ``{request_id}`` placeholder.
    status_url: str
    result_url: str
    #: Link from the index to this page.
    index_entry: str
    module_name: str
    client_class: str
    parameters: tuple[ParameterRow, ...]
    has_rules: bool
    outputs: tuple[OutputRow, ...]
    call_arguments: tuple[CallArgument, ...]
    #: The example request body (wire keys), for the curl example.
    payload: dict[str, Any]
    payload_json: str
    #: Where the example comes from: "page" (as documented), "repaired" (the documented one
    #: failed the schema) or "built" (none documented).
    example_origin: str
    fence: str
    #: Findings of normalization, as ``(pointer, message)``.
    notes: tuple[tuple[str, str], ...]


def _parameter(field: FieldSpec) -> ParameterRow:
    media = field.media.value if field.media is not None else None
    return ParameterRow(
        python_name=field.python_name,
        wire_key=field.wire_key,
        type=_type_text(field, media),
        required=field.required,
        default=_json_text(field.default) if field.has_default else None,
        title=field.title,
        description=field.description,
        constraints_md=tuple(_constraints(field.constraints, media_checked=media is not None)),
        rules_md=tuple(rule_text(rule) for rule in field.rules),
        rules_per_item=field.is_array,
    )


def _output(field: OutputFieldSpec) -> OutputRow:
    return OutputRow(
        python_name=field.python_name,
        wire_key=field.wire_key,
        type=_type_text(field, None),
        description=field.description,
    )


def _base_url(spec: ModelSpec) -> str:
    suffix = "/v1/models/" + spec.model_id
    if spec.endpoint.endswith(suffix) and spec.endpoint.startswith("https://"):
        return spec.endpoint[: -len(suffix)]
    return DEFAULT_BASE_URL


def _page_path(model_id: str) -> str:
    return f"docs/{model_id}.md"


def model_page(spec: ModelSpec) -> ModelPage:
    """The facts one model's page shows; raises :class:`InputError` on an unsafe model id."""
    check_model_id(spec.model_id, spec.file)
    payload = example_payload(spec)
    by_key = {field.wire_key: field for field in spec.fields}
    payload_json = json.dumps(payload, indent=2, ensure_ascii=False)
    description = spec.input_schema.get("description")
    depth = spec.model_id.count("/")
    return ModelPage(
        model_id=spec.model_id,
        path=_page_path(spec.model_id),
        index_link="../" * depth + "index.md",
        description=description if isinstance(description, str) and description else None,
        task=task_of(spec.model_id),
        endpoint=spec.endpoint,
        status_url=_base_url(spec) + "/v1/requests/{request_id}/status",
        result_url=_base_url(spec) + "/v1/requests/{request_id}/result",
        index_entry=spec.model_id + ".md",
        module_name=module_name(spec.model_id),
        client_class=class_prefix(spec.model_id) + "Client",
        parameters=tuple(_parameter(field) for field in spec.fields),
        has_rules=any(field.rules for field in spec.fields),
        outputs=tuple(_output(field) for field in spec.outputs),
        call_arguments=tuple(
            CallArgument(python_name=by_key[key].python_name, value=value)
            for key, value in payload.items()
        ),
        payload=payload,
        payload_json=payload_json,
        example_origin=(
            "built" if spec.example is None else "page" if payload == spec.example else "repaired"
        ),
        # One fence fits both examples: repr, JSON and shell quoting keep backticks as they are.
        fence=md_fence(payload_json),
        notes=tuple((d.pointer, d.message) for d in spec.diagnostics),
    )


def render_model_doc(
    spec: ModelSpec, env: jinja2.Environment, package_names: PackageNames
) -> dict[str, str]:
    """``{"docs/<model_id>.md": ...}``: the one docs page that depends on this model alone."""
    install_filters(env)
    page = model_page(spec)
    template = env.get_template(MODEL_TEMPLATE)
    return {page.path: template.render(page=page, **package_variables(package_names))}


def render_docs_index(
    specs: Sequence[ModelSpec], env: jinja2.Environment, package_names: PackageNames
) -> dict[str, str]:
    """``{"docs/index.md": ...}``: the list of every model."""
    install_filters(env)
    pages = sorted((model_page(spec) for spec in specs), key=lambda page: page.model_id)
    template = env.get_template(INDEX_TEMPLATE)
    return {"docs/index.md": template.render(pages=pages, **package_variables(package_names))}


def render_docs(
    specs: Sequence[ModelSpec],
    env: jinja2.Environment,
    package_names: PackageNames | None = None,
) -> dict[str, str]:
    """``{"docs/index.md": ..., "docs/<model_id>.md": ...}``, paths relative to ``generated/``.

    Sorted by path and free of anything that varies between runs, so the output is byte for
    byte the same for the same schemas and templates.
    """
    seen: dict[str, str] = {}
    for spec in specs:
        if spec.model_id in seen:
            raise InputError(
                spec.file, f"model id {spec.model_id!r} is also defined in {seen[spec.model_id]}"
            )
        seen[spec.model_id] = spec.file
    names = package_names or PackageNames()
    files = render_docs_index(specs, env, names)
    for spec in specs:
        files.update(render_model_doc(spec, env, names))
    return dict(sorted(files.items()))
