"""Faults injected into the worker processes of a run (a process-pool initializer runs in each worker,
where a test's monkeypatch cannot reach)."""

from __future__ import annotations

import os
from typing import Any

import nlp.analyse


def break_pdf_analysis() -> None:
    """From now on in this process, analysing a PDF document raises, as a bug in the engine would."""
    real = nlp.analyse.summarise

    def fragile(document: Any, doc: Any, analyzer: Any) -> Any:
        if document.format == "pdf":
            raise RuntimeError("simulated analysis bug")
        return real(document, doc, analyzer)

    nlp.analyse.summarise = fragile


def die_on_statement_02() -> None:
    """From now on in this process, analysing ``statement_02.txt`` ends the process at once, as the
    kernel's out-of-memory killer would."""
    real = nlp.analyse.summarise

    def fatal(document: Any, doc: Any, analyzer: Any) -> Any:
        if document.source.endswith("statement_02.txt"):
            os._exit(1)
        return real(document, doc, analyzer)

    nlp.analyse.summarise = fatal
