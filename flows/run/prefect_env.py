"""Prefect defaults for a command-line tool: no telemetry, quiet logs. Call before importing prefect.

Values already in the environment win, so an operator can still point at a real server
(``PREFECT_API_URL``) or ask for debug logs.
"""

from __future__ import annotations

import os

_QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # the API server's usage data
    "DO_NOT_TRACK": "1",  # the client's: without it the first run in a terminal prints a usage-data notice
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "PREFECT_CLI_COLORS": "false",
}


def configure_prefect(*, verbose: bool = False) -> None:
    for key, value in _QUIET.items():
        os.environ.setdefault(key, value)
    if verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
