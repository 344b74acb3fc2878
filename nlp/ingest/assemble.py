"""Turn the blocks a reader found into a :class:`Document` with exact character offsets."""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError

from nlp.document import Document, DocumentKind, Segment, SegmentKind, text_id
from nlp.errors import ErrorCode, IngestFailure
from nlp.normalize import Block, clean_inline, split_paragraphs

SEPARATOR = "\n\n"


def assemble(
    blocks: list[Block],
    *,
    source: str,
    format: str,
    kind: DocumentKind,
    title: str | None = None,
    date: dt.date | None = None,
    language: str = "en",
    metadata: dict[str, str] | None = None,
    split_bullets: bool | None = None,
) -> Document:
    """Normalize each block and join them with blank lines, recording where each one landed.

    Statements have bullets split into separate paragraphs; transcript turns stay whole so that
    turn counts survive (``split_bullets`` overrides that choice).
    """
    if split_bullets is None:
        split_bullets = kind == "statement"
    pieces: list[str] = []
    segments: list[Segment] = []
    offset = 0
    for block in blocks:
        parts = _normalized_parts(block, split_bullets=split_bullets)
        for text, seg_kind in parts:
            if pieces:
                offset += len(SEPARATOR)
            pieces.append(text)
            try:
                segment = Segment(
                    speaker=block.speaker,
                    start_s=block.start_s,
                    end_s=block.end_s,
                    start=offset,
                    end=offset + len(text),
                    kind=seg_kind,
                    source_index=block.source_index,
                )
            except ValidationError as exc:
                where = f"item {block.source_index}" if block.source_index is not None else "a segment"
                raise IngestFailure(ErrorCode.MALFORMED, f"{where}: {_first_error(exc)}") from exc
            segments.append(segment)
            offset += len(text)
    text = SEPARATOR.join(pieces)
    if not text.strip():
        raise IngestFailure(ErrorCode.NO_TEXT, "the file contains no readable text")
    return Document(
        id=text_id(text),
        source=source,
        format=format,
        kind=kind,
        title=(clean_inline(title) or None) if title else None,
        date=date,
        language=language,
        text=text,
        segments=tuple(segments),
        metadata=metadata or {},
    )


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(p) for p in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{field} {message}" if field else message


def _normalized_parts(block: Block, *, split_bullets: bool) -> list[tuple[str, SegmentKind]]:
    if not split_bullets or block.kind == "heading":
        text = clean_inline(block.text)
        return [(text, block.kind)] if text else []
    return [(part.text, part.kind) for part in split_paragraphs(block.text, kind=block.kind)]
