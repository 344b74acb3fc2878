"""Labels on real text that point into the data by path and character offsets, never copying it.

A span names a file under a data root (``../shared/data``), for a QMSum meeting the index of the turn in
``meeting_transcripts``, character offsets into that text and the first 16 hex digits of the SHA-256 of
the span. Reading it back checks the hash, so labels can never silently land on other text after the
data changed. The repo holds the labels; the text is read from the data in place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Split = Literal["train", "dev", "test"]
NO_THEME = "none"


class GoldError(ValueError):
    """A label file is malformed or points at text that is not there (any more)."""


class Span(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    """relative to the data root, e.g. ``ungdc/TXT/Session 79 - 2024/AGO_79_2024.txt``"""
    turn: int | None = None
    """for a JSON meeting, the index of the turn in ``meeting_transcripts``"""
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    sha: str = Field(pattern=r"^[0-9a-f]{16}$")


class Unit(BaseModel):
    """One labelled sentence: where it is, which document and split it belongs to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    doc: str
    split: Split
    span: Span


class GoldDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    doc: str
    path: str
    kind: Literal["statement", "committee", "product", "academic", "seed"]
    split: Split
    takeaways: bool = False
    """True when the document has gold key takeaways"""


class GoldTakeaway(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    theme: str
    """a theme id, or ``none`` for a point outside the taxonomy"""
    evidence: list[Span] = Field(min_length=1)


class DocumentTakeaways(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    doc: str
    takeaways: list[GoldTakeaway]


def span_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=512)
def source_text(data_root: Path, path: str, turn: int | None) -> str:
    """The text a span's offsets index: the decoded file, or one meeting turn's content."""
    file = data_root / path
    try:
        raw = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise GoldError(f"{file}: cannot read the labelled document ({exc.strerror})") from exc
    if turn is None:
        return raw
    try:
        content = json.loads(raw)["meeting_transcripts"][turn]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise GoldError(f"{file}: no meeting turn {turn}") from exc
    return str(content)


def make_span(data_root: Path, path: str, turn: int | None, start: int, end: int) -> Span:
    text = source_text(data_root, path, turn)[start:end]
    return Span(path=path, turn=turn, start=start, end=end, sha=span_hash(text))


def resolve(span: Span, data_root: Path) -> str:
    """The span's text, refusing a span whose text no longer has the recorded hash."""
    text = source_text(data_root, span.path, span.turn)
    piece = text[span.start : span.end]
    if span.end > len(text) or span_hash(piece) != span.sha:
        where = f"{span.path}" + (f" turn {span.turn}" if span.turn is not None else "")
        raise GoldError(
            f"{where} [{span.start}:{span.end}]: the text there no longer matches the label's hash "
            f"{span.sha}; the data changed, so the label is refused"
        )
    return piece


M = TypeVar("M", bound=BaseModel)


def read_jsonl(path: Path, model: type[M]) -> Iterator[M]:
    """Validated records of a JSONL file; a bad line is an error naming the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"{path}: cannot read ({exc.strerror})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield model.model_validate_json(line)
        except ValidationError as exc:
            raise GoldError(f"{path}:{number}: {exc.errors()[0]['msg']}") from exc


def validate_themes(themes: Sequence[str], known: Sequence[str], where: str) -> list[str]:
    unknown = sorted(set(themes) - set(known))
    if unknown:
        raise GoldError(f"{where}: unknown theme(s) {', '.join(unknown)}")
    if len(themes) > 3:
        raise GoldError(f"{where}: more than three themes")
    return list(dict.fromkeys(themes))


class ThemeLabel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    themes: list[str]


@dataclass(frozen=True)
class GoldSentence:
    """A labelled real sentence, its text read from the data and checked against the span's hash."""

    id: str
    doc: str
    kind: str
    split: Split
    text: str
    themes: tuple[str, ...]
    previous: str
    """the labelled sentence before it in the same document, or '' (context for the classifier)"""


def load_documents(folder: Path) -> dict[str, GoldDocument]:
    return {d.doc: d for d in read_jsonl(folder / "documents.jsonl", GoldDocument)}


def load_units(folder: Path) -> list[Unit]:
    return list(read_jsonl(folder / "units.jsonl", Unit))


def load_theme_labels(path: Path, theme_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """unit id -> themes, validated; a unit answered twice is an error naming the file."""
    labels: dict[str, tuple[str, ...]] = {}
    for record in read_jsonl(path, ThemeLabel):
        if record.id in labels:
            raise GoldError(f"{path}: unit {record.id} is labelled twice")
        labels[record.id] = tuple(validate_themes(record.themes, theme_ids, f"{path}: {record.id}"))
    return labels


def load_gold_sentences(
    folder: Path, data_root: Path, theme_ids: Sequence[str], *, labels_file: str = "themes.jsonl"
) -> list[GoldSentence]:
    """The adjudicated sentences with their text; every span is checked against its hash."""
    from nlp.linguistic import clean_transcript_text  # spaCy only when real labels are used

    documents = load_documents(folder)
    labels = load_theme_labels(folder / labels_file, theme_ids)
    out: list[GoldSentence] = []
    previous: dict[str, tuple[int, str]] = {}
    for unit in load_units(folder):
        if unit.id not in labels:
            continue
        text = clean_transcript_text(resolve(unit.span, data_root))
        index = int(unit.id.rsplit("s", 1)[1])
        last = previous.get(unit.doc)
        context = last[1] if last is not None and last[0] == index - 1 else ""
        previous[unit.doc] = (index, text)
        out.append(
            GoldSentence(
                id=unit.id, doc=unit.doc, kind=documents[unit.doc].kind, split=unit.split,
                text=text, themes=labels[unit.id], previous=context,
            )
        )  # fmt: skip
    return out


def load_gold_takeaways(
    folder: Path, data_root: Path, theme_ids: Sequence[str]
) -> dict[str, DocumentTakeaways]:
    """doc key -> its adjudicated key takeaways; every evidence span is checked against its hash."""
    out: dict[str, DocumentTakeaways] = {}
    for record in read_jsonl(folder / "takeaways.jsonl", DocumentTakeaways):
        for takeaway in record.takeaways:
            validate_themes([t for t in [takeaway.theme] if t != NO_THEME], theme_ids, f"{record.doc}")
            for span in takeaway.evidence:
                resolve(span, data_root)
        out[record.doc] = record
    return out


class FactDocument(BaseModel):
    """A document of the facts benchmark (``corpus/FACTS_GUIDELINE.md``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc: str
    path: str
    kind: Literal["statement", "committee", "product", "academic", "seed"]
    split: Literal["dev", "test"]


class Participant(BaseModel):
    """Someone who takes part in the event: a meeting's speaker label (by turn) or a name in the text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    speaker_turn: int | None = None
    """a turn whose speaker label names this participant"""
    name: Span | None = None
    role: Span | None = None
    label_role: tuple[int, int, str] | None = None
    """the role as the speaker label of ``speaker_turn`` states it: offsets into the label and hash"""


class FactLabels(BaseModel):
    """The adjudicated facts of one document: who took part, and the event, place and date as stated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc: str
    participants: list[Participant] = Field(default_factory=list)
    event: Span | None = None
    place: Span | None = None
    date: Span | None = None


@dataclass(frozen=True)
class GoldFacts:
    """One document's facts as text, read from the data and checked against the spans' hashes."""

    doc: FactDocument
    participants: tuple[tuple[str | None, str | None], ...]
    """(name, role) of each participant; either may be None"""
    event: str | None
    place: str | None
    date: str | None


def speaker_label(data_root: Path, path: str, turn: int) -> str:
    try:
        return str(
            json.loads((data_root / path).read_text(encoding="utf-8"))["meeting_transcripts"][turn]["speaker"]
        )
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise GoldError(f"{data_root / path}: no speaker for meeting turn {turn}") from exc


def load_gold_facts(folder: Path, data_root: Path) -> list[GoldFacts]:
    """The facts benchmark's labels with their text; every span is checked against its hash."""
    documents = {d.doc: d for d in read_jsonl(folder / "documents.jsonl", FactDocument)}

    def text(span: Span | None) -> str | None:
        return None if span is None else resolve(span, data_root)

    out = []
    for record in read_jsonl(folder / "facts.jsonl", FactLabels):
        document = documents.get(record.doc)
        if document is None:
            raise GoldError(f"{folder / 'facts.jsonl'}: unknown document {record.doc}")
        people = tuple(
            (
                speaker_label(data_root, document.path, p.speaker_turn) if p.speaker_turn is not None
                else text(p.name),
                text(p.role) or _label_role(data_root, document.path, p),
            )
            for p in record.participants
        )  # fmt: skip
        out.append(GoldFacts(document, people, text(record.event), text(record.place), text(record.date)))
    return out


def _label_role(data_root: Path, path: str, participant: Participant) -> str | None:
    if participant.label_role is None or participant.speaker_turn is None:
        return None
    start, end, sha = participant.label_role
    role = speaker_label(data_root, path, participant.speaker_turn)[start:end]
    if span_hash(role) != sha:
        raise GoldError(f"{path} turn {participant.speaker_turn}: the speaker label no longer holds the role")
    return role
