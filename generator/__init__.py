"""runcomfy-codegen: RunComfy's documented model schemas -> JSON Schema, Python SDK, docs."""

from generator._deferred import defer_rfc3987_syntax

defer_rfc3987_syntax()
