"""Turn a list of sources (files, folders, URLs) into documents and error records, never raising."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from flows.inputs.fetch import Fetched, FetchState, fetch_sources, is_url
from flows.inputs.sources import LocalInput, discover, read_local
from flows.settings import Settings
from nlp.document import Document
from nlp.errors import ErrorCode, IngestError, IngestFailure
from nlp.ingest import read_document
from nlp.metadata import MetadataError, apply, lookup, parse_sidecar


@dataclass(frozen=True)
class Duplicate:
    """An input whose normalized text equals an earlier one: the same document, read once."""

    path: str
    same_as: str
    id: str


Input = LocalInput | str
"""A discovered local file, or a URL to fetch."""


@dataclass
class IngestLog:
    """What a stream of inputs held, without the documents' text: deduplicates and reports.

    A run keeps only this while documents flow on to analysis batch by batch, so its memory does not
    grow with the documents' size."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    _by_id: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def inputs(self) -> int:
        return len(self.rows) + len(self.errors) + len(self.duplicates)

    def add(self, source: str, outcome: Document | IngestError) -> Document | None:
        """The document if it is new; None for an error or a duplicate (both recorded)."""
        if isinstance(outcome, IngestError):
            self.errors.append(outcome)
            return None
        if outcome.id in self._by_id:
            self.duplicates.append(Duplicate(path=source, same_as=self._by_id[outcome.id], id=outcome.id))
            return None
        self._by_id[outcome.id] = source
        self.rows.append(document_row(outcome))
        return outcome

    def as_json(self) -> dict[str, Any]:
        """Documents found, rejections and duplicates, as the CLI tables and scripts read them."""
        return {
            "documents": list(self.rows),
            "errors": [e.model_dump(mode="json") for e in self.errors],
            "duplicates": [{"path": d.path, "same_as": d.same_as, "id": d.id} for d in self.duplicates],
        }


@dataclass
class IngestResult(IngestLog):
    """An :class:`IngestLog` that also keeps the documents (for `takeaways ingest` and small jobs)."""

    documents: list[Document] = field(default_factory=list)

    def add(self, source: str, outcome: Document | IngestError) -> Document | None:
        document = super().add(source, outcome)
        if document is not None:
            self.documents.append(document)
        return document


def document_row(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "source": document.source,
        "format": document.format,
        "kind": document.kind,
        "title": document.title,
        "date": document.date.isoformat() if document.date else None,
        "speakers": document.speakers,
        "segments": len(document.segments),
        "characters": len(document.text),
    }


def ingest_sources(
    sources: list[str],
    *,
    settings: Settings,
    state: FetchState | None = None,
    on_input: Callable[[str], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> IngestResult:
    """Read every source; bad inputs become errors and the rest carry on."""
    result = IngestResult()
    state = state or FetchState()
    for item in discover_inputs(sources):
        pairs = (
            [(item.path, item)]
            if isinstance(item, IngestError)
            else read_inputs([item], settings=settings, state=state, transport=transport)
        )
        for source, outcome in pairs:
            if on_input is not None:
                on_input(source)
            result.add(source, outcome)
    return result


def discover_inputs(sources: list[str]) -> Iterator[Input | IngestError]:
    """Local files (folders walked in sorted order) and problems finding them, then the URLs."""
    yield from discover([s for s in sources if not is_url(s)])
    yield from (s for s in sources if is_url(s))


def read_inputs(
    items: Iterable[Input],
    *,
    settings: Settings,
    state: FetchState,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[tuple[str, Document | IngestError]]:
    """Each input read into a document or an error record, with the source it came from; the metadata
    sidecars' facts are applied to the documents they name."""
    table = load_metadata(settings.metadata_files)
    for item in items:
        if isinstance(item, LocalInput):
            yield str(item.path), _with_metadata(_read_local(item, settings=settings), table)
            continue
        for fetched in fetch_sources(
            item,
            state=state,
            max_bytes=settings.max_file_bytes,
            timeout_s=settings.fetch_timeout_s,
            max_redirects=settings.fetch_max_redirects,
            max_feed_items=settings.fetch_max_feed_items,
            transport=transport,
        ):
            if isinstance(fetched, IngestError):
                yield fetched.path, fetched
            else:
                yield fetched.url, _with_metadata(_read_fetched(fetched), table)


def load_metadata(paths: Sequence[Path]) -> dict[str, dict[str, str]]:
    """Every sidecar's records by file name (a later file's record wins); :class:`MetadataError` names
    a sidecar that cannot be read."""
    table: dict[str, dict[str, str]] = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError as exc:
            raise MetadataError(f"{path}: cannot read the metadata file ({exc.strerror})") from exc
        table.update(_sidecar(path, stat.st_mtime_ns, stat.st_size))
    return table


@lru_cache(maxsize=8)
def _sidecar(path: Path, mtime_ns: int, size: int) -> dict[str, dict[str, str]]:
    """One sidecar, read once per version of the file (a run reads inputs batch by batch)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MetadataError(f"{path}: cannot read the metadata file ({exc.strerror})") from exc
    return parse_sidecar(data, str(path))


def _with_metadata(
    outcome: Document | IngestError, table: dict[str, dict[str, str]]
) -> Document | IngestError:
    if isinstance(outcome, IngestError) or not table:
        return outcome
    try:
        return apply(outcome, lookup(table, outcome.source))
    except MetadataError as exc:
        return IngestError(path=outcome.source, code=ErrorCode.MALFORMED, reason=str(exc))


SEPARATE_PROCESS_BYTES = 256 * 1024
"""Word and PDF files at least this large, and any file ten times larger, are read in a process of their
own, stopped when it takes longer than ``settings.max_read_seconds``: a pathological file (a document
that unpacks to millions of elements) must not hold the run and its store lock for hours. The rest are
read here: plain-text formats read in linear time, and starting a process (about half a second) would
cost more than reading them."""
_PACKED_FORMATS = (".docx", ".pdf")


def _read_local(item: LocalInput, *, settings: Settings) -> Document | IngestError:
    path = str(item.path)
    try:
        data = read_local(item, max_bytes=settings.max_file_bytes)
        packed = item.path.suffix.lower() in _PACKED_FORMATS
        if len(data) >= SEPARATE_PROCESS_BYTES * (1 if packed else 10):
            return read_in_own_process(
                data, source=path, name=item.path.name, seconds=settings.max_read_seconds
            )
        return read_document(data, source=path, name=item.path.name)
    except IngestFailure as exc:
        return IngestError(path=path, code=exc.code, reason=exc.reason)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the other documents
        return IngestError(
            path=path, code=ErrorCode.MALFORMED, reason=f"unexpected error while reading: {exc!r}"
        )


def read_in_own_process(data: bytes, *, source: str, name: str, seconds: float) -> Document:
    """``read_document`` in a fresh process that is killed after ``seconds``; :class:`IngestFailure` with
    the reason when it is stopped, dies or refuses the input."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    reader = context.Process(target=_read_and_send, args=(send, data, source, name), daemon=True)
    reader.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise IngestFailure(
                ErrorCode.TOO_SLOW, f"reading it took longer than {seconds:g} s, so it was stopped"
            )
        outcome: Document | tuple[str, str] = receive.recv()
    except EOFError:
        reader.join()
        raise IngestFailure(
            ErrorCode.MALFORMED, f"the process reading it died (exit code {reader.exitcode})"
        ) from None
    finally:
        if reader.is_alive():
            reader.kill()
        reader.join()
        receive.close()
    if isinstance(outcome, tuple):
        raise IngestFailure(ErrorCode(outcome[0]), outcome[1])
    return outcome


def _read_and_send(send: Connection, data: bytes, source: str, name: str) -> None:
    """The reading process: the document, or (error code, reason)."""
    try:
        send.send(read_document(data, source=source, name=name))
    except IngestFailure as exc:
        send.send((exc.code.value, exc.reason))
    except Exception as exc:  # noqa: BLE001 - a reader bug is this input's failure
        send.send((ErrorCode.MALFORMED.value, f"unexpected error while reading: {exc!r}"))


def _read_fetched(fetched: Fetched) -> Document | IngestError:
    try:
        return read_document(fetched.data, source=fetched.url, name=fetched.name)
    except IngestFailure as exc:
        return IngestError(path=fetched.url, code=exc.code, reason=exc.reason)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the other documents
        return IngestError(path=fetched.url, code=ErrorCode.MALFORMED, reason=f"unexpected error: {exc!r}")
