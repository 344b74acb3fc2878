"""Turn a list of sources (files, folders, URLs) into documents and error records, never raising."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx

from flows.fetch import Fetched, FetchState, fetch_sources, is_url
from flows.settings import Settings
from flows.sources import LocalInput, discover, read_local
from nlp.document import Document
from nlp.errors import ErrorCode, IngestError, IngestFailure
from nlp.ingest import read_document


@dataclass(frozen=True)
class Duplicate:
    """An input whose normalized text equals an earlier one: the same document, read once."""

    path: str
    same_as: str
    id: str


@dataclass
class IngestResult:
    documents: list[Document] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def inputs(self) -> int:
        return len(self.documents) + len(self.errors) + len(self.duplicates)


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
    by_id: dict[str, str] = {}
    state = state or FetchState()
    for source, outcome in _read_all(sources, settings=settings, state=state, transport=transport):
        if on_input is not None:
            on_input(source)
        if isinstance(outcome, IngestError):
            result.errors.append(outcome)
        elif outcome.id in by_id:
            result.duplicates.append(Duplicate(path=source, same_as=by_id[outcome.id], id=outcome.id))
        else:
            by_id[outcome.id] = source
            result.documents.append(outcome)
    return result


def _read_all(
    sources: list[str], *, settings: Settings, state: FetchState, transport: httpx.BaseTransport | None
) -> Iterator[tuple[str, Document | IngestError]]:
    local = [s for s in sources if not is_url(s)]
    for item in discover(local):
        if isinstance(item, IngestError):
            yield item.path, item
        else:
            yield str(item.path), _read_local(item, settings=settings)
    for url in (s for s in sources if is_url(s)):
        for fetched in fetch_sources(
            url,
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
                yield fetched.url, _read_fetched(fetched)


def _read_local(item: LocalInput, *, settings: Settings) -> Document | IngestError:
    path = str(item.path)
    try:
        data = read_local(item, max_bytes=settings.max_file_bytes)
        return read_document(data, source=path, name=item.path.name)
    except IngestFailure as exc:
        return IngestError(path=path, code=exc.code, reason=exc.reason)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the other documents
        return IngestError(
            path=path, code=ErrorCode.MALFORMED, reason=f"unexpected error while reading: {exc!r}"
        )


def _read_fetched(fetched: Fetched) -> Document | IngestError:
    try:
        return read_document(fetched.data, source=fetched.url, name=fetched.name)
    except IngestFailure as exc:
        return IngestError(path=fetched.url, code=exc.code, reason=exc.reason)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the other documents
        return IngestError(path=fetched.url, code=ErrorCode.MALFORMED, reason=f"unexpected error: {exc!r}")
