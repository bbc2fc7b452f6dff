"""A local server that speaks RunComfy's queue protocol for every model in ``schemas/``.

For tests, demos and offline checks: ``serve_in_thread(schemas_dir, token=..., schedule=...,
faults=...)`` in Python, ``runcomfy-codegen serve`` on the command line (docs/serve.md).
"""

from __future__ import annotations

from generator.serve.faults import Fault, FaultPlan, load_faults_file, parse_fault
from generator.serve.jobs import Schedule
from generator.serve.server import RunningServer, create_server, serve_in_thread

__all__ = [
    "Fault",
    "FaultPlan",
    "RunningServer",
    "Schedule",
    "create_server",
    "load_faults_file",
    "parse_fault",
    "serve_in_thread",
]
