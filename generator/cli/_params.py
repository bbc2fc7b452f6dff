"""Value types of the command line's numeric options: the one home of what a number may be.

click's ``FloatRange(min=0)`` accepts ``nan`` (it compares false with every bound, so no bound
refuses it) and ``inf``: ``serve --queue-seconds nan`` made every look at a job an error, and
``run --timeout nan`` meant no deadline at all. A finite but huge number is refused too: the
waits it reaches overflow beyond about 9e9 s (``threading.TIMEOUT_MAX``, socket timeouts).
"""

from __future__ import annotations

import math
from typing import Any

import click

__all__ = ["SECONDS", "Seconds"]

#: The longest time any option takes: no job, poll or queue stage needs more.
YEAR = 365 * 24 * 3600


class Seconds(click.types.FloatParamType):
    """A number of seconds: finite, from 0 to ``maximum`` (a bad value is a usage error).

    A FloatParamType (not a generic ParamType) so that it reads the same on click 8.1, whose
    ParamType takes no type arguments."""

    name = "seconds"

    def __init__(self, maximum: int = YEAR) -> None:
        self.maximum = maximum

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float | int) and not isinstance(value, bool):
            number = float(value)  # a default, or a value from the configuration file
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                number = math.nan
        if not (math.isfinite(number) and 0 <= number <= self.maximum):
            self.fail(
                f"{value} is not a number of seconds (finite, from 0 to {self.maximum})",
                param,
                ctx,
            )
        return number


#: Every option that is a number of seconds (``serve --queue-seconds``, ``run --timeout``).
SECONDS = Seconds()
