"""URL sources against a server on 127.0.0.1: pages, feeds, conditional requests, limits."""

from __future__ import annotations

from pathlib import Path

from flows.inputs.fetch import FetchState
from flows.inputs.ingestion import ingest_sources
from flows.settings import Settings
from nlp.errors import ErrorCode
from tests.support.http_server import Reply, Route, local_server

PAGE = b"""<!doctype html><html lang="en"><head><title>Ministry news</title>
<meta property="article:published_time" content="2025-02-03"></head><body><nav>Home | News</nav>
<main><h1>Rural schools get connected</h1><p>The ministry will connect 400 rural schools by 2026.</p></main>
</body></html>"""


def _page(n: int) -> bytes:
    return PAGE.replace(b"400 rural schools", f"{n} rural schools".encode())


def _rss(base: str, items: list[str]) -> bytes:
    entries = "".join(f"<item><title>{i}</title><link>{base}/news/{i}</link></item>" for i in items)
    channel = f"<channel><title>News</title>{entries}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def _html(body: bytes) -> Route:
    return lambda headers: Reply(body=body, headers={"Content-Type": "text/html"})


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings().model_copy(update={"out_dir": tmp_path, "fetch_timeout_s": 2.0, **kw})


def test_page_is_fetched_and_read_as_html(tmp_path: Path) -> None:
    routes = {"/news/a": lambda h: Reply(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"})}
    with local_server(routes) as server:
        result = ingest_sources([server.url("/news/a")], settings=_settings(tmp_path))
    (doc,) = result.documents
    assert doc.source == server.url("/news/a")
    assert doc.format == "html" and doc.title == "Ministry news"
    assert "Home | News" not in doc.text and "connect 400 rural schools" in doc.text


def test_etag_makes_an_unchanged_page_cost_one_304(tmp_path: Path) -> None:
    def page(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(status=304)
        return Reply(body=PAGE, headers={"Content-Type": "text/html", "ETag": '"v1"'})

    settings = _settings(tmp_path)
    with local_server({"/p": page}) as server:
        state = FetchState(settings.fetch_state_path)
        first = ingest_sources([server.url("/p")], settings=settings, state=state)
        state.save()
        second = ingest_sources(
            [server.url("/p")], settings=settings, state=FetchState(settings.fetch_state_path)
        )
        assert server.requests[1][1].get("if-none-match") == '"v1"'
    assert len(first.documents) == 1
    assert second.documents == [] and second.errors == []


def test_last_modified_is_sent_back(tmp_path: Path) -> None:
    stamp = "Wed, 05 Mar 2025 10:00:00 GMT"

    def page(headers: dict[str, str]) -> Reply:
        if headers.get("if-modified-since") == stamp:
            return Reply(status=304)
        return Reply(body=PAGE, headers={"Content-Type": "text/html", "Last-Modified": stamp})

    state = FetchState()
    with local_server({"/p": page}) as server:
        assert (
            len(ingest_sources([server.url("/p")], settings=_settings(tmp_path), state=state).documents) == 1
        )
        assert ingest_sources([server.url("/p")], settings=_settings(tmp_path), state=state).documents == []


def test_feed_items_are_fetched_once_across_runs(tmp_path: Path) -> None:
    items = ["a", "b"]
    routes: dict[str, Route] = {f"/news/{i}": _html(_page(ord(i))) for i in "abc"}
    settings = _settings(tmp_path)
    with local_server(routes) as server:
        routes["/feed.xml"] = lambda h: Reply(
            body=_rss(server.base, items), headers={"Content-Type": "application/rss+xml"}
        )
        state = FetchState(settings.fetch_state_path)
        first = ingest_sources([server.url("/feed.xml")], settings=settings, state=state)
        state.save()
        items.append("c")
        second = ingest_sources(
            [server.url("/feed.xml")], settings=settings, state=FetchState(settings.fetch_state_path)
        )
        assert (server.hits("/news/a"), server.hits("/news/b"), server.hits("/news/c")) == (1, 1, 1)
    assert [d.source.rsplit("/", 1)[1] for d in first.documents] == ["a", "b"]
    assert [d.source.rsplit("/", 1)[1] for d in second.documents] == ["c"]


def test_atom_feed_links_are_followed(tmp_path: Path) -> None:
    routes = {"/news/x": lambda h: Reply(body=PAGE, headers={"Content-Type": "text/html"})}
    with local_server(routes) as server:
        atom = (
            b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b'<entry><title>x</title><link rel="alternate" href="/news/x"/></entry></feed>'
        )
        routes["/atom"] = lambda h: Reply(body=atom, headers={"Content-Type": "application/atom+xml"})
        result = ingest_sources([server.url("/atom")], settings=_settings(tmp_path))
    assert [d.source for d in result.documents] == [server.url("/news/x")]


def test_http_errors_timeouts_sizes_and_redirect_loops_are_error_records(tmp_path: Path) -> None:
    routes = {
        "/missing": lambda h: Reply(status=404, body=b"gone"),
        "/slow": lambda h: Reply(body=PAGE, delay_s=1.5),
        "/huge": lambda h: Reply(body=b"<html><body><p>" + b"x" * 5000 + b"</p></body></html>"),
        "/loop": lambda h: Reply(status=302, headers={"Location": "/loop"}),
        "/ok": lambda h: Reply(body=PAGE, headers={"Content-Type": "text/html"}),
    }
    settings = _settings(tmp_path, fetch_timeout_s=0.5, max_file_bytes=2000, fetch_max_redirects=3)
    with local_server(routes) as server:
        result = ingest_sources([server.url(p) for p in routes], settings=settings)
        assert server.hits("/loop") == 4
    assert len(result.documents) == 1
    by_path = {e.path.rsplit("/", 1)[1]: e for e in result.errors}
    assert by_path["missing"].code is ErrorCode.FETCH and "404" in by_path["missing"].reason
    assert by_path["slow"].code is ErrorCode.FETCH and "timed out" in by_path["slow"].reason
    assert by_path["huge"].code is ErrorCode.TOO_LARGE
    assert by_path["loop"].code is ErrorCode.FETCH and "redirects" in by_path["loop"].reason


def test_malformed_feed_is_an_error(tmp_path: Path) -> None:
    routes = {"/feed": lambda h: Reply(body=b"<?xml version='1.0'?><rss><channel><item>", headers={
        "Content-Type": "application/rss+xml"})}  # fmt: skip
    with local_server(routes) as server:
        result = ingest_sources([server.url("/feed")], settings=_settings(tmp_path))
    (error,) = result.errors
    assert error.code is ErrorCode.MALFORMED and "feed" in error.reason


def test_a_server_that_trickles_its_answer_is_cut_off_at_the_whole_request_deadline(tmp_path: Path) -> None:
    """Each byte arrives well within the read timeout, so only a deadline for the whole request stops a
    server that would otherwise hold the run, and its store lock, for ever."""
    slow = PAGE * 4  # about 1,400 bytes at 0.05 s each: over a minute in all
    routes = {"/slow": lambda h: Reply(body=slow, headers={"Content-Type": "text/html"}, trickle_s=0.05)}
    with local_server(routes) as server:
        result = ingest_sources([server.url("/slow")], settings=_settings(tmp_path, fetch_timeout_s=1.0))
    (error,) = result.errors
    assert error.code == ErrorCode.FETCH and "took too long" in error.reason
