"""Fetch ``http(s)://`` sources: pages and files, and RSS/Atom feeds whose new items are fetched once.

Conditional requests (ETag / Last-Modified) make a page that has not changed cost one 304; feed items
already seen are not fetched again. Timeouts, a size limit and a bounded number of redirects apply to
every request. The state lives in a small JSON file so scheduled runs remember what they saw.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlparse

import httpx
from pydantic import BaseModel, Field

from flows.atomic import write_text_atomic
from nlp.errors import ErrorCode, IngestError, IngestFailure

_CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "application/json": ".json",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_ATOM = "{http://www.w3.org/2005/Atom}"
_USER_AGENT = "takeaways/0.1 (+https://example.invalid/takeaways)"


@dataclass(frozen=True)
class Fetched:
    """Bytes fetched from a URL, with the name that tells the readers which format to expect."""

    url: str
    data: bytes
    name: str


class FetchState:
    """What earlier runs saw: validators per URL, and feed items already fetched."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.validators: dict[str, dict[str, str]] = {}
        self.seen_items: set[str] = set()
        if path is not None and path.exists():
            try:
                raw = json.loads(path.read_text("utf-8"))
                self.validators = dict(raw.get("validators", {}))
                self.seen_items = set(raw.get("seen_items", []))
            except (ValueError, OSError):
                self.validators, self.seen_items = {}, set()  # a damaged cache only costs refetching

    def save(self) -> None:
        if self.path is not None and (self.validators or self.seen_items or self.path.exists()):
            payload = {"validators": self.validators, "seen_items": sorted(self.seen_items)}
            write_text_atomic(self.path, json.dumps(payload, indent=1))

    def changes_since(self, earlier: FetchChanges) -> FetchChanges:
        """What fetching added since ``earlier`` (a :meth:`snapshot`): new validators and items seen."""
        return FetchChanges(
            validators={u: v for u, v in self.validators.items() if earlier.validators.get(u) != v},
            seen_items=sorted(self.seen_items - set(earlier.seen_items)),
        )

    def snapshot(self) -> FetchChanges:
        return FetchChanges(validators=dict(self.validators), seen_items=sorted(self.seen_items))


class FetchChanges(BaseModel):
    """Fetch state learnt in a run and not yet committed. A run commits a URL's part only once the
    document it produced is stored (or found already stored), so a kill or a failed batch in between
    makes the next run fetch it again instead of getting a 304 and never reading it."""

    validators: dict[str, dict[str, str]] = Field(default_factory=dict)
    seen_items: list[str] = Field(default_factory=list)

    def of(self, sources: Iterable[str]) -> FetchChanges:
        """The part that belongs to these sources."""
        wanted = set(sources)
        return FetchChanges(
            validators={u: v for u, v in self.validators.items() if u in wanted},
            seen_items=[i for i in self.seen_items if i in wanted],
        )

    def without(self, sources: Iterable[str]) -> FetchChanges:
        """The rest: what belongs to other URLs (a feed's own validators, pages that did not read)."""
        unwanted = set(sources)
        return FetchChanges(
            validators={u: v for u, v in self.validators.items() if u not in unwanted},
            seen_items=[i for i in self.seen_items if i not in unwanted],
        )

    def plus(self, other: FetchChanges) -> FetchChanges:
        return FetchChanges(
            validators={**self.validators, **other.validators},
            seen_items=sorted({*self.seen_items, *other.seen_items}),
        )

    def commit(self, path: Path) -> None:
        """Merge into the state file (read afresh, so commits of one run add up) and save it."""
        if not self.validators and not self.seen_items:
            return
        state = FetchState(path)
        state.validators.update(self.validators)
        state.seen_items.update(self.seen_items)
        state.save()


def is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def fetch_sources(
    url: str,
    *,
    state: FetchState,
    max_bytes: int,
    timeout_s: float,
    max_redirects: int,
    max_feed_items: int,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[Fetched | IngestError]:
    """Yield the page or file at ``url``, or, for a feed, each item not fetched before."""
    with httpx.Client(
        timeout=timeout_s,
        follow_redirects=True,
        max_redirects=max_redirects,
        transport=transport,
        headers={"User-Agent": _USER_AGENT},
    ) as client:
        deadline = time.monotonic() + timeout_s  # for the whole fetch, not each read
        try:
            response = _get(client, url, state=state, max_bytes=max_bytes, deadline=deadline)
        except IngestFailure as exc:
            yield IngestError(path=url, code=exc.code, reason=exc.reason)
            return
        if response is None:
            return  # not modified since the last run
        data, content_type, final_url = response
        if not _is_feed(content_type, data):
            yield Fetched(url=url, data=data, name=_name_for(final_url, content_type))
            return
        try:
            links = _feed_links(data, base=final_url)
        except ET.ParseError as exc:
            yield IngestError(
                path=url, code=ErrorCode.MALFORMED, reason=f"the feed is not well-formed XML ({exc})"
            )
            return
        fresh = [link for link in links if link not in state.seen_items][:max_feed_items]
        for link in fresh:
            try:
                item = _get(
                    client, link, state=state, max_bytes=max_bytes, deadline=time.monotonic() + timeout_s
                )
            except IngestFailure as exc:
                yield IngestError(path=link, code=exc.code, reason=exc.reason)
                continue
            state.seen_items.add(link)
            if item is not None:
                item_data, item_type, item_url = item
                yield Fetched(url=link, data=item_data, name=_name_for(item_url, item_type))


def _get(
    client: httpx.Client, url: str, *, state: FetchState, max_bytes: int, deadline: float
) -> tuple[bytes, str, str] | None:
    """The body, its content type and the final URL; None for a 304. ``deadline`` bounds the whole
    request: httpx's timeout bounds each read, so a server trickling a byte every few seconds would
    otherwise hold the run (and its store lock) for ever."""
    headers = {}
    known = state.validators.get(url, {})
    if "etag" in known:
        headers["If-None-Match"] = known["etag"]
    if "last_modified" in known:
        headers["If-Modified-Since"] = known["last_modified"]
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return None
            if response.status_code >= 400:
                raise IngestFailure(
                    ErrorCode.FETCH,
                    f"the server answered HTTP {response.status_code} {response.reason_phrase}",
                )
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise IngestFailure(
                    ErrorCode.TOO_LARGE, f"the server says it is {declared} bytes, over the limit"
                )
            chunks: list[bytes] = []
            received = 0
            for chunk in response.iter_bytes():
                if time.monotonic() > deadline:
                    raise IngestFailure(ErrorCode.FETCH, "timed out (the whole download took too long)")
                received += len(chunk)
                if received > max_bytes:
                    raise IngestFailure(
                        ErrorCode.TOO_LARGE, f"the download exceeded the {max_bytes}-byte limit"
                    )
                chunks.append(chunk)
            validators = {
                key: response.headers[header]
                for key, header in (("etag", "etag"), ("last_modified", "last-modified"))
                if header in response.headers
            }
            if validators:
                state.validators[url] = validators
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return b"".join(chunks), content_type, str(response.url)
    except httpx.TooManyRedirects as exc:
        raise IngestFailure(ErrorCode.FETCH, "too many redirects") from exc
    except httpx.TimeoutException as exc:
        raise IngestFailure(ErrorCode.FETCH, f"timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise IngestFailure(ErrorCode.FETCH, f"could not fetch it ({exc})") from exc


def _is_feed(content_type: str, data: bytes) -> bool:
    if content_type in _FEED_TYPES:
        return True
    head = data[:512].lstrip()
    return head.startswith(b"<?xml") and any(tag in data[:2048] for tag in (b"<rss", b"<feed", b"<rdf:RDF"))


def _feed_links(data: bytes, *, base: str) -> list[str]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed, in feed order, made absolute."""
    root = ET.fromstring(data)
    links: list[str] = []
    for item in root.iter():
        tag = item.tag
        if tag in ("item", "{http://purl.org/rss/1.0/}item"):
            link = next((c.text for c in item if c.tag.endswith("link") and c.text), None)
            if link:
                links.append(urljoin(base, link.strip()))
        elif tag == f"{_ATOM}entry":
            candidates = [c for c in item if c.tag == f"{_ATOM}link" and c.get("href")]
            chosen = next((c for c in candidates if c.get("rel", "alternate") == "alternate"), None)
            if chosen is not None:
                links.append(urljoin(base, chosen.get("href", "").strip()))
    return list(dict.fromkeys(links))


def _name_for(url: str, content_type: str) -> str:
    """A file name whose extension matches the content, so format sniffing has a second opinion."""
    path_name = PurePosixPath(urlparse(url).path).name or "index"
    extension = _CONTENT_TYPES.get(content_type)
    if extension and not path_name.lower().endswith(extension):
        return path_name + extension
    return path_name
