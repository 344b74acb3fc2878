"""JSON transcripts: a list of turns, the common meeting-tool export shapes, or a Document of our own.

A turn is an object with a speaker (``speaker``/``speaker_name``/``name``/``participant``), text
(``text``/``content``/``transcript``/``utterance``, or ``alternatives[0].transcript``) and optional
``start``/``end`` times (seconds, or ``HH:MM:SS`` strings). Empty turns are skipped but keep their index.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import ValidationError

from nlp.document import Document
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.assemble import assemble
from nlp.ingest.dates import find_date
from nlp.ingest.decode import decode_text
from nlp.ingest.timecodes import parse_timestamp
from nlp.normalize import Block

_LIST_KEYS = ("segments", "utterances", "results", "meeting_transcripts", "transcript", "turns", "entries")
_SPEAKER_KEYS = ("speaker", "speaker_name", "speakerName", "name", "participant", "speaker_label")
_TEXT_KEYS = ("text", "content", "transcript", "utterance", "words")
_START_KEYS = ("start", "start_time", "startTime", "start_s", "begin", "offset")
_END_KEYS = ("end", "end_time", "endTime", "end_s")
_SHAPE_HELP = (
    'expected a list of turns like {"speaker": ..., "text": ...}, or an object with a list under one of '
    + ", ".join(repr(k) for k in _LIST_KEYS)
)


def read_json(data: bytes, *, source: str) -> Document:
    text, encoding = decode_text(data)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestFailure(
            ErrorCode.MALFORMED, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    if isinstance(value, dict) and {"id", "text", "segments", "kind"} <= value.keys():
        return _own_document(value, source)
    turns, top = _find_turns(value)
    blocks = []
    for index, turn in enumerate(turns):
        if not isinstance(turn, dict):
            kind = type(turn).__name__
            raise IngestFailure(
                ErrorCode.MALFORMED, f"turn {index} is a {kind}, not an object; {_SHAPE_HELP}"
            )
        content = _turn_text(turn, index)
        if not content.strip():
            continue
        start_s, end_s = _time(turn, _START_KEYS, index), _time(turn, _END_KEYS, index)
        if start_s is not None and end_s is not None and end_s < start_s:
            raise IngestFailure(
                ErrorCode.MALFORMED, f"turn {index} ends ({end_s}s) before it starts ({start_s}s)"
            )
        blocks.append(
            Block(text=content, speaker=_speaker(turn), start_s=start_s, end_s=end_s, kind="turn",
                  source_index=index)
        )  # fmt: skip
    if not blocks:
        raise IngestFailure(ErrorCode.NO_TEXT, "the JSON transcript has no turn with text")
    title = _first_str(top, ("title", "name", "topic", "meeting_title", "subject"))
    date = find_date(_first_str(top, ("date", "meeting_date", "start_time", "created_at", "recorded_at")))
    metadata = {"encoding": encoding, "turns": str(len(turns))}
    return assemble(blocks, source=source, format="json", kind="transcript", title=title,
                    date=date or find_date(title), metadata=metadata)  # fmt: skip


def _own_document(value: dict[str, Any], source: str) -> Document:
    """A Document JSON written by this project reads back as the same document."""
    try:
        return Document.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise IngestFailure(
            ErrorCode.MALFORMED, f"invalid Takeaways document JSON ({where}: {first['msg']})"
        ) from exc


def _find_turns(value: Any) -> tuple[list[Any], dict[str, Any]]:
    if isinstance(value, list):
        return value, {}
    if isinstance(value, dict):
        for key in _LIST_KEYS:
            if isinstance(value.get(key), list):
                return value[key], value
    raise IngestFailure(ErrorCode.MALFORMED, f"JSON of the wrong shape: {_SHAPE_HELP}")


def _turn_text(turn: dict[str, Any], index: int) -> str:
    for key in _TEXT_KEYS:
        if key in turn:
            value = turn[key]
            if isinstance(value, str):
                return value
            if value is None:
                return ""  # an empty turn: skipped, but it keeps its index
            if isinstance(value, list) and all(isinstance(w, dict) for w in value):
                return " ".join(str(w.get("word") or w.get("text") or "") for w in value)
            raise IngestFailure(
                ErrorCode.MALFORMED,
                f"turn {index}: {key!r} is a {type(value).__name__}, not a string of text",
            )
    alternatives = turn.get("alternatives")
    if isinstance(alternatives, list) and alternatives and isinstance(alternatives[0], dict):
        return str(alternatives[0].get("transcript") or "")
    raise IngestFailure(ErrorCode.MALFORMED, f"turn {index} has no text field; {_SHAPE_HELP}")


def _speaker(turn: dict[str, Any]) -> str | None:
    for key in _SPEAKER_KEYS:
        value = turn.get(key)
        if isinstance(value, (str, int)) and str(value).strip():
            return str(value).strip()
    return None


def _time(turn: dict[str, Any], keys: tuple[str, ...], index: int) -> float | None:
    for key in keys:
        value = turn.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            break
        if isinstance(value, (int, float)):
            seconds = float(value)
        elif isinstance(value, str):
            try:
                seconds = float(value) if value.replace(".", "", 1).isdigit() else parse_timestamp(value)
            except ValueError:
                break
        else:
            break
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
        break
    else:
        return None
    raise IngestFailure(
        ErrorCode.MALFORMED, f"turn {index}: {key!r} is not a time: expected seconds (0 or more) or HH:MM:SS"
    )


def _first_str(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
