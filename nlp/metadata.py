"""Document metadata a user already has: who spoke, in what role, at which event, where and when.

Metadata comes from a document's front matter or from a sidecar table (CSV, or JSON: a list of records
or an object keyed by file name) whose rows are matched to files by name, with or without extension. A
fact given here is the user's word, not a guess from the text, so drafts state it without a check.
Column names are matched loosely: ``post`` and ``position`` are roles, ``location`` and ``venue`` places,
``organization`` an organisation, ``country`` whom a speaker speaks for, and ``file``, ``filename``,
``name`` or ``path`` the key.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from pathlib import PurePath

from nlp.document import Document
from nlp.ingest.dates import find_date

# Between a model version key and the digest of a document's given facts in its analysis key: editing
# the facts re-analyses the document, while the store still counts documents per model version.
GIVEN_SEPARATOR = "#given-"
FIELDS = ("title", "date", "speaker", "role", "organisation", "country", "event", "place")
_ALIASES = {
    "post": "role",
    "position": "role",
    "organization": "organisation",
    "org": "organisation",
    "location": "place",
    "venue": "place",
    "city": "place",
}
_KEYS = ("file", "filename", "file_name", "name", "path", "source")


class MetadataError(ValueError):
    """A sidecar file that cannot be read as metadata; the message names the file and the reason."""


def canonical(record: Mapping[str, object]) -> dict[str, str]:
    """The record's known fields under their canonical names, blank values dropped."""
    out: dict[str, str] = {}
    for raw_key, raw_value in record.items():
        key = _ALIASES.get(raw_key.strip().casefold(), raw_key.strip().casefold())
        value = " ".join(str(raw_value).split()) if raw_value is not None else ""
        if key in FIELDS and value and key not in out:
            out[key] = value
    return out


def parse_sidecar(data: bytes, name: str) -> dict[str, dict[str, str]]:
    """File key -> canonical record, from a CSV or JSON sidecar called ``name``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetadataError(f"{name}: not UTF-8 text (byte {exc.start})") from exc
    if name.casefold().endswith(".json"):
        return _from_json(text, name)
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise MetadataError(f"{name}: no rows")
    return _keyed(rows, name)


def _from_json(text: str, name: str) -> dict[str, dict[str, str]]:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetadataError(f"{name}: not JSON ({exc.msg} at line {exc.lineno})") from exc
    if isinstance(loaded, dict) and all(isinstance(v, dict) for v in loaded.values()):
        return {_stem_key(k): canonical(v) for k, v in loaded.items()}
    if isinstance(loaded, list) and all(isinstance(v, dict) for v in loaded):
        return _keyed(loaded, name)
    raise MetadataError(f"{name}: expected a list of records or an object keyed by file name")


def _keyed(rows: list[dict[str, object]], name: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows, start=1):
        lowered = {str(k).strip().casefold(): v for k, v in row.items() if k is not None}
        key = next((str(lowered[k]) for k in _KEYS if lowered.get(k)), None)
        if key is None:
            raise MetadataError(f"{name}: record {number} has no file name (a 'file' column or key)")
        out[_stem_key(key)] = canonical(row)
    return out


def _stem_key(key: str) -> str:
    """Rows match a file by its name without folder or extension, case-insensitively."""
    path = PurePath(key.strip().replace("\\", "/"))
    return (path.stem if path.suffix else path.name).casefold()


def lookup(table: Mapping[str, dict[str, str]], source: str) -> dict[str, str]:
    return table.get(_stem_key(source.rsplit("?", 1)[0]), {})


def apply(document: Document, record: Mapping[str, str]) -> Document:
    """The document with the record's title, date and facts; a date that does not parse is refused."""
    if not record:
        return document
    update: dict[str, object] = {"metadata": {**document.metadata, **record}}
    if "title" in record:
        update["title"] = record["title"]
    if "date" in record:
        day = _date(record["date"])
        if day is None:
            raise MetadataError(f"{document.source}: metadata date {record['date']!r} is not a date")
        update["date"] = day
    return document.model_copy(update=update)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return find_date(value)


def given(document_metadata: Mapping[str, str]) -> dict[str, str]:
    """Who spoke, in what role, at which event and where, as a user gave them (front matter or sidecar).

    Title and date live on the document itself; a page's own ``date`` or ``author`` meta tag is the
    publication's, not the event's, so neither is read here."""
    return {k: v for k, v in canonical(document_metadata).items() if k not in {"title", "date"}}
