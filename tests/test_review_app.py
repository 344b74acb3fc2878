"""The review app: pages, the uncertainty-ordered queue, decisions with who and when, CSRF, the access
token, the Host check, path traversal, and retraining that promotes only a model that is not worse."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import uvicorn
import yaml
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from spacy.language import Language

import flows.models.retrain as reviews
from flows.models.retrain import (
    ReviewError,
    model_summary,
    previous_dir,
    restore_previous_model,
    reviewed_items,
    should_promote,
    training_set,
)
from flows.models.train import Evaluation, train_and_save
from flows.settings import Settings
from flows.store import DecisionRecord, Store
from nlp.taxonomy import Taxonomy, load_taxonomy
from nlp.training import ThemeModel, load_labels
from nlp.verdicts import apply_to_themes
from review import security as sec
from review.app import create_app, serve_review
from review.queue import Candidate, QueueSource, Suggestion, build_queue, decided_pairs, suggestions_for
from review.security import ReviewConfigError, check_bind
from tests.support.review_store import (
    BASE,
    SECRET,
    TOKEN,
    ReviewStore,
)


@pytest.fixture(scope="module")
def built(review_store: ReviewStore) -> ReviewStore:
    return review_store


@pytest.fixture
def store(built: ReviewStore, tmp_path: Path) -> ReviewStore:
    """A fresh copy of the built store per test, so decisions never leak between tests."""
    out = tmp_path / "out"
    shutil.copytree(built.out, out)
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.json").write_text(json.dumps(SECRET), encoding="utf-8")
    return ReviewStore(
        url=f"sqlite:///{out / 'takeaways.db'}",
        out=out,
        summaries=built.summaries,
        hostile_id=built.hostile_id,
    )


def client_for(store: ReviewStore, settings: Settings, token: str | None = None) -> TestClient:
    app = create_app(db_url=store.url, settings=settings, token=token, out_dir=store.out)
    return TestClient(app, base_url=BASE)


@pytest.fixture
def client(store: ReviewStore, settings: Settings, theme_model: ThemeModel) -> TestClient:
    return client_for(store, settings)


def csrf_of(client: TestClient) -> str:
    client.get("/")
    value = client.cookies.get(sec.CSRF_COOKIE)
    assert value
    return str(value)


def queue_items(page: str) -> list[dict[str, str]]:
    """The hidden fields of each card's decision form, in page order."""
    forms = re.findall(r'<form method="post" action="/review/decide" class="decide">(.*?)</form>', page, re.S)
    return [dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', f)) for f in forms]


# pages ---------------------------------------------------------------------------------------------


def test_every_page_renders(client: TestClient, store: ReviewStore) -> None:
    pages = {
        "/": "Themes",
        "/documents": "Documents",
        "/themes": "Multistakeholder partnerships",
        "/takeaways": "Takeaways",
        "/takeaways?theme=financing": "Financing and investment",
        "/review": "Review queue",
        "/model": "Theme model",
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert expected in response.text, path
        assert "text/html" in response.headers["content-type"]
    overview = client.get("/").text
    assert "completed" in overview  # the run
    documents = client.get("/documents").text
    for summary in store.summaries[:-1]:
        assert f"/documents/{summary.id}" in documents
    assert client.get("/documents/" + "0" * 64).status_code == 404
    assert client.get("/documents/not-an-id").status_code == 404


def test_document_view_highlights_evidence_in_context(client: TestClient, store: ReviewStore) -> None:
    summary = next(s for s in store.summaries if any(t.evidence for t in s.takeaways))
    page = client.get(f"/documents/{summary.id}").text
    headline = re.findall(r'<mark class="headline">(.*?)</mark>', page, re.S)
    evidence = re.findall(r'<mark class="evidence">(.*?)</mark>', page, re.S)
    assert headline and evidence
    unescape = _unescape
    marked = {unescape(t) for t in headline} | {unescape(t) for t in evidence}
    for takeaway in summary.takeaways:
        assert takeaway.text in marked or any(takeaway.text in m for m in marked)
    # the whole text is on the page, in order: sentences in their context
    body = re.sub(r"<[^>]+>", "", page.split('<div class="doctext">', 1)[1].split("</div>", 1)[0])
    text, position = unescape(body), 0
    for sentence in summary.sentences:
        found = text.find(sentence.text, position)
        assert found >= 0, sentence.text
        position = found + len(sentence.text)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_every_piece_of_document_text_is_escaped(client: TestClient, store: ReviewStore) -> None:
    doc = store.hostile_id
    pages = [
        client.get(path).text
        for path in ("/", "/documents", f"/documents/{doc}", "/takeaways", f"/review?doc={doc}", "/themes")
    ]
    document_page = pages[2]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document_page
    assert "&lt;img src=x onerror=alert(6)&gt;" in document_page
    assert "&lt;img src=x onerror=alert(7)&gt;" in document_page  # a speaker's name
    assert "javascript:alert(4)" in document_page  # the source, shown as text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in pages[4]  # the queue shows hostile sentences too
    for page in pages:
        root = lxml.html.document_fromstring(page)
        assert [s.get("src") for s in root.iter("script")] == ["/static/review.js"]
        assert not list(root.iter("img", "b", "iframe", "object", "embed"))
        for element in root.iter():
            for name, value in element.attrib.items():
                assert not str(name).lower().startswith("on"), (element.tag, name)
                assert not str(value).strip().lower().startswith("javascript:"), (element.tag, name, value)


def test_pages_forbid_inline_scripts_and_framing(client: TestClient) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


# the queue -----------------------------------------------------------------------------------------


def _candidate(doc: str, i: int, *suggestions: Suggestion) -> Candidate:
    return Candidate(
        doc, doc, i, f"sentence {i}", None, None, None, tuple(sorted(suggestions, key=lambda s: s.distance))
    )


def test_queue_asks_the_most_uncertain_undecided_suggestion_first() -> None:
    sure = _candidate("a", 0, Suggestion("financing", 0.95, 0.4, True, "both"))
    borderline = _candidate("a", 1, Suggestion("financing", 0.41, 0.4, True, "model"))
    near_miss = _candidate(
        "b",
        0,
        Suggestion("partnerships", 0.37, 0.4, False, None),
        Suggestion("financing", 0.7, 0.4, True, "model"),
    )
    queue, count = build_queue([sure, borderline, near_miss], set())
    assert count == 4
    assert [(q.candidate.document_id, q.candidate.sentence_i, q.suggestion.theme) for q in queue] == [
        ("a", 1, "financing"),
        ("b", 0, "partnerships"),
        ("a", 0, "financing"),
    ]
    # once decided, a pair leaves the queue and the sentence's next suggestion takes its place
    queue, count = build_queue([sure, borderline, near_miss], {("a", 1, "financing")})
    assert count == 3  # every decision takes one suggestion off the count, even when its sentence stays
    decided = {("a", 1, "financing"), ("b", 0, "partnerships")}
    queue, count = build_queue([sure, borderline, near_miss], decided)
    assert [q.key for q in queue] == [("b", 0, "financing"), ("a", 0, "financing")]
    assert count == 2
    assert [q.key for q in build_queue([sure, near_miss], set(), theme="financing")[0]] == [
        ("b", 0, "financing"),
        ("a", 0, "financing"),
    ]
    assert [q.key for q in build_queue([sure, near_miss], set(), document_id="b")[0]] == [
        ("b", 0, "partnerships")
    ]


def test_near_misses_are_suggested_only_close_to_the_threshold() -> None:
    found = suggestions_for({"a": (0.6, "model")}, [0.6, 0.2, 0.05], ["a", "b", "c"], [0.5, 0.3, 0.5])
    assert [(s.theme, s.assigned) for s in found] == [("a", True), ("b", False)]
    assert [s.theme for s in suggestions_for({}, None, ["a", "b"], [0.5, 0.5])] == []


def test_the_store_queue_is_ordered_by_uncertainty_and_skips_decided_pairs(
    store: ReviewStore, settings: Settings, taxonomy: Taxonomy, theme_model: ThemeModel
) -> None:
    with Store(store.url, create=False) as db:
        source = QueueSource(db, taxonomy, settings.theme_model_dir)
        candidates = source.candidates()
        assert source.model() is not None
        queue, _ = build_queue(candidates, decided_pairs(db))
        distances = [q.suggestion.distance for q in queue]
        assert len(queue) > 10 and distances == sorted(distances)
        assert any(not q.suggestion.assigned for q in queue)  # near misses come from the model
        first = queue[0]
        db.record_decision(
            first.candidate.document_id, first.candidate.sentence_i, first.suggestion.theme, "reject", who="t"
        )
        again, _ = build_queue(source.candidates(), decided_pairs(db))
        assert first.key not in {q.key for q in again}


# decisions -----------------------------------------------------------------------------------------


def test_decisions_are_stored_with_who_and_when(client: TestClient, store: ReviewStore) -> None:
    token = csrf_of(client)
    response = client.post("/who", data={"csrf": token, "who": "  Ada\tLovelace  "}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/review").text
    assert "reviewing as <strong>Ada Lovelace</strong>" in page
    first, second = queue_items(page)[:2]
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    response = client.post("/review/decide", data={**first, "action": "accept"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/review?saved=")
    new_theme = next(t for t in ("financing", "partnerships") if t != second["theme"])
    response = client.post(
        "/review/decide", data={**second, "action": "relabel", "new_theme": new_theme}, follow_redirects=False
    )
    assert response.status_code == 303
    with Store(store.url, create=False) as db:
        decisions = db.decisions()
    assert [(d.action, d.theme, d.new_theme, d.who) for d in decisions] == [
        ("accept", first["theme"], None, "Ada Lovelace"),
        ("relabel", second["theme"], new_theme, "Ada Lovelace"),
    ]
    assert all(before <= d.at <= dt.datetime.now(dt.UTC) for d in decisions)
    assert decisions[0].document_id == first["document_id"] and decisions[0].sentence_i == int(
        first["sentence_i"]
    )
    after = client.get("/review").text
    keys = {(i["document_id"], i["sentence_i"], i["theme"]) for i in queue_items(after)}
    assert (first["document_id"], first["sentence_i"], first["theme"]) not in keys
    assert "Decision saved" in client.get(response.headers["location"]).text


def _queue_count(page: str) -> int:
    found = re.search(r'id="queue-count">\((\d+) suggestions? to review', page)
    assert found, "no queue count on the page"
    return int(found.group(1))


def test_the_queue_count_falls_with_each_decision(client: TestClient) -> None:
    csrf_of(client)
    page = client.get("/review").text
    count = _queue_count(page)
    for item in queue_items(page)[:2]:
        client.post("/review/decide", data={**item, "action": "reject"})
        page = client.get("/review").text
        assert _queue_count(page) == count - 1
        count -= 1


def test_short_ids_work_wherever_a_document_is_named(client: TestClient, store: ReviewStore) -> None:
    summary = store.summaries[0]
    short = summary.id[:10]  # what the CLI prints
    response = client.get(f"/documents/{short}", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == f"/documents/{summary.id}"
    assert summary.id in client.get(f"/documents/{short}").text
    queue = client.get(f"/review?doc={short}").text
    assert "one document" in queue and {i["document_id"] for i in queue_items(queue)} == {summary.id}
    assert client.get("/documents/" + "f" * 12).status_code == 404
    assert client.get("/documents/" + summary.id[:1]).status_code == 404  # too short: not one document


def test_a_takeaway_theme_is_judged_from_the_document_page(client: TestClient, store: ReviewStore) -> None:
    summary = next(s for s in store.summaries[:-1] if s.takeaways)
    token = csrf_of(client)
    page = client.get(f"/documents/{summary.id}").text
    inline = r'<form method="post" action="/review/decide" class="decide inline">(.*?)</form>'
    forms = re.findall(inline, page, re.S)
    assert len(forms) == len([t for t in summary.takeaways if t.theme != "other"])
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', forms[0]))
    response = client.post(
        "/review/decide", data={**fields, "csrf": token, "action": "reject"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/documents/{summary.id}?saved=")
    after = client.get(response.headers["location"]).text
    assert "Decision saved" in after and 'id="pending"' in after
    with Store(store.url, create=False) as db:
        (decision,) = db.decisions()
    headline = summary.takeaways[0]
    assert (decision.theme, decision.sentence_start) == (headline.theme, headline.start)
    assert decision.action == "reject"


def test_bad_decisions_are_refused(client: TestClient, store: ReviewStore) -> None:
    token = csrf_of(client)
    item = queue_items(client.get("/review").text)[0]
    cases = [
        ({**item, "action": "relabel"}, 400),  # no new theme
        ({**item, "action": "relabel", "new_theme": item["theme"]}, 400),
        ({**item, "action": "delete"}, 400),
        ({**item, "action": "accept", "theme": "no_such_theme"}, 400),
        ({**item, "action": "accept", "sentence_i": "x"}, 400),
        ({**item, "action": "accept", "sentence_i": "99999"}, 404),
        ({**item, "action": "accept", "sentence_i": str(10**30)}, 400),  # was a 500: too big for SQLite
        ({**item, "action": "accept", "sentence_i": "-1"}, 400),
    ]
    for form, status in cases:
        response = client.post("/review/decide", data={**form, "csrf": token})
        assert response.status_code == status, form
        assert response.headers["x-frame-options"] == "DENY", form
    with Store(store.url, create=False) as db:
        assert db.decisions() == []


def test_a_server_error_still_carries_the_security_headers_and_no_traceback(
    store: ReviewStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(
        create_app(db_url=store.url, settings=settings, token=None, out_dir=store.out),
        base_url=BASE,
        raise_server_exceptions=False,
    )
    monkeypatch.setattr(Store, "status", lambda self, **kw: 1 / 0)
    response = client.get("/")
    assert response.status_code == 500
    assert response.headers["content-security-policy"] and response.headers["x-frame-options"] == "DENY"
    assert "ZeroDivisionError" not in response.text and "Traceback" not in response.text


# CSRF, token, host, bind ---------------------------------------------------------------------------


def test_every_post_needs_the_csrf_token(client: TestClient, store: ReviewStore) -> None:
    token = csrf_of(client)
    item = queue_items(client.get("/review").text)[0]
    decide = {**item, "action": "accept"}
    without = {k: v for k, v in decide.items() if k != "csrf"}
    assert client.post("/review/decide", data=without).status_code == 403
    assert client.post("/review/decide", data={**decide, "csrf": "x" * 43}).status_code == 403
    assert (
        client.post("/review/decide", data=decide, headers={"origin": "http://evil.example"}).status_code
        == 403
    )
    app = client.app
    assert isinstance(app, FastAPI)
    stranger = TestClient(app, base_url=BASE)  # no cookie: a form posted from another site
    assert stranger.post("/review/decide", data=decide).status_code == 403
    posts = [getattr(r, "path", "") for r in app.routes if "POST" in getattr(r, "methods", set())]
    assert set(posts) == {"/review/decide", "/who", "/model/retrain", "/model/restore"}
    for path in posts:
        assert client.post(path, data={"csrf": "wrong" * 9}).status_code == 403, path
        assert client.post(path, data={}).status_code == 403, path
    with Store(store.url, create=False) as db:
        assert db.decisions() == []
    accepted = client.post(
        "/review/decide", data=without, headers={"x-csrf-token": token}, follow_redirects=False
    )
    assert accepted.status_code == 303  # the header is as good as the field


def test_a_token_is_required_on_every_request_when_set(store: ReviewStore, settings: Settings) -> None:
    client = client_for(store, settings, token=TOKEN)
    for path in ("/", "/review", "/static/review.css", f"/files/summaries/{store.hostile_id}.json"):
        assert client.get(path).status_code == 401, path
    assert client.get("/", headers={sec.TOKEN_HEADER: "wrong-token-wrong-token"}).status_code == 401
    assert client.get("/", headers={sec.TOKEN_HEADER: TOKEN}).status_code == 200
    assert client.get("/", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/?token=nope").status_code == 401
    login = client.get(f"/review?theme=financing&token={TOKEN}", follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/review?theme=financing"
    assert TOKEN not in login.headers["set-cookie"] and "httponly" in login.headers["set-cookie"].lower()
    assert client.get("/review").status_code == 200  # the cookie now carries the session
    # with a token, other Host names are fine (the server may listen on a LAN address)
    assert client.get("/", headers={"host": "10.1.2.3:8765"}).status_code == 200


def test_the_login_redirect_stays_on_the_site() -> None:
    scope = {
        "type": "http",
        "scheme": "http",
        "server": ("127.0.0.1", 8765),
        "path": "//evil.example/review",
        "query_string": f"token={TOKEN}&theme=financing".encode(),
        "headers": [(b"host", b"127.0.0.1:8765")],
    }
    assert sec.url_without_token(Request(scope)) == "/evil.example/review?theme=financing"


def test_without_a_token_only_loopback_host_names_are_served(client: TestClient) -> None:
    assert client.get("/", headers={"host": "evil.example:8765"}).status_code == 400  # DNS rebinding
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"):
        assert client.get("/", headers={"host": host}).status_code == 200, host


def test_only_loopback_without_a_token(
    monkeypatch: pytest.MonkeyPatch, store: ReviewStore, settings: Settings
) -> None:
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        check_bind(host, None)
    for host in ("0.0.0.0", "::", "192.168.1.20", "example.org"):
        with pytest.raises(ReviewConfigError, match="token"):
            check_bind(host, None)
        check_bind(host, TOKEN)
    with pytest.raises(ReviewConfigError, match="at least"):
        check_bind("0.0.0.0", "short")
    monkeypatch.delenv(sec.TOKEN_ENV, raising=False)
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append({"app": app, **kw}))
    with pytest.raises(ReviewConfigError):
        serve_review("0.0.0.0", 8765, None, db_url=store.url, settings=settings)
    assert started == []
    serve_review(db_url=store.url, settings=settings)
    assert started[-1]["host"] == "127.0.0.1" and started[-1]["port"] == 8765
    monkeypatch.setenv(sec.TOKEN_ENV, TOKEN)
    serve_review("0.0.0.0", 9000, None, db_url=store.url, settings=settings)
    assert started[-1]["host"] == "0.0.0.0"
    served = TestClient(started[-1]["app"], base_url=BASE)
    assert served.get("/").status_code == 401
    assert served.get("/", headers={sec.TOKEN_HEADER: TOKEN}).status_code == 200


# files -----------------------------------------------------------------------------------------------


def test_files_are_served_from_the_output_folder_only(
    client: TestClient, store: ReviewStore, tmp_path: Path
) -> None:
    summary = client.get(f"/files/summaries/{store.hostile_id}.json")
    assert summary.status_code == 200 and summary.json()["id"] == store.hostile_id
    report = client.get("/files/report.html")
    assert report.status_code == 200 and report.headers["content-security-policy"].startswith("sandbox")
    (store.out / "escape").symlink_to(tmp_path / "secret.json")
    attempts = [
        "/files/..%2Fsecret.txt",
        "/files/..%2Fsecret.json",
        "/files/%2e%2e/secret.json",
        "/files/%2E%2E%2Fsecret.json",
        "/files/summaries/..%2F..%2Fsecret.json",
        "/files/summaries%2F..%2F..%2Fsecret.json",
        "/files/..%5Csecret.json",
        "/files/%2F" + str(tmp_path / "secret.json").lstrip("/").replace("/", "%2F"),
        "/files//" + str(tmp_path / "secret.json").lstrip("/"),
        "/files/escape",
        "/files/takeaways.db",
        "/files/.hidden.json",
        "/files/summaries/",
        "/files/nothing.json",
        "/files/report.html%00.json",
        "/static/..%2F..%2Freviews.py",
        "/static/%2e%2e/app.py",
    ]
    for path in attempts:
        response = client.get(path)
        assert response.status_code == 404, path
        assert SECRET not in response.text and "SQLite format" not in response.text, path


def test_files_come_from_the_output_folder_not_the_database_folder(
    store: ReviewStore, settings: Settings, tmp_path: Path
) -> None:
    """`takeaways review --db elsewhere/takeaways.db --out out`: the files are the output folder's."""
    outputs = tmp_path / "outputs"
    (outputs / "summaries").mkdir(parents=True)
    (outputs / "report.html").write_text("<p>the report of the output folder</p>", encoding="utf-8")
    (store.out / "stray.json").write_text(json.dumps(SECRET), encoding="utf-8")  # beside the database
    app = create_app(db_url=store.url, settings=settings.model_copy(update={"out_dir": outputs}), token=None)
    client = TestClient(app, base_url=BASE)
    assert "the report of the output folder" in client.get("/files/report.html").text
    for path in ("/files/stray.json", f"/files/summaries/{store.hostile_id}.json"):
        assert client.get(path).status_code == 404, path


# retraining ------------------------------------------------------------------------------------------


def _metrics(micro: float, **per_theme: float) -> dict[str, Any]:
    return {
        "micro": {"precision": micro, "recall": micro, "f1": micro},
        "macro": {"precision": micro, "recall": micro, "f1": micro},
        "per_theme": {t: {"precision": f, "recall": f, "f1": f, "support": 10} for t, f in per_theme.items()},
    }


def test_promotion_needs_a_micro_f1_that_is_not_worse() -> None:
    assert should_promote(None, _metrics(0.1))[0]
    assert should_promote(_metrics(0.75), _metrics(0.75))[0]
    assert should_promote(_metrics(0.75), _metrics(0.76, a=0.1))[0]
    promoted, reason = should_promote(_metrics(0.75, a=0.9), _metrics(0.7499, a=1.0))
    assert not promoted and "worse" in reason


def _decision(
    action: str, theme: str, new_theme: str | None = None, text: str = "s", doc: str = "d", i: int = 0
) -> DecisionRecord:
    return DecisionRecord(
        id=1,
        document_id=doc,
        sentence_i=i,
        sentence_start=0,
        sentence_end=len(text),
        sentence_text=text,
        theme=theme,
        action=action,  # type: ignore[arg-type]
        new_theme=new_theme,
        who="t",
        at=dt.datetime.now(dt.UTC),
        note=None,
    )


def test_decisions_become_labels() -> None:
    assert apply_to_themes(["a", "b"], [_decision("accept", "a")]) == ["a", "b"]
    assert apply_to_themes(["b"], [_decision("accept", "a")]) == ["b", "a"]
    assert apply_to_themes(["a", "b"], [_decision("reject", "a")]) == ["b"]
    assert apply_to_themes(["a", "b"], [_decision("relabel", "a", "c")]) == ["b", "c"]
    assert apply_to_themes(["a"], [_decision("reject", "a"), _decision("accept", "a")]) == ["a"]
    items = reviewed_items(
        [
            _decision("reject", "a", text="Known  sentence.", doc="d", i=0),
            _decision("relabel", "b", "c", text="Stored sentence.", doc="d", i=1),
            _decision("accept", "c", text="Moved sentence.", doc="d", i=2),
            _decision("accept", "gone", text="Stored sentence.", doc="d", i=1),
        ],
        stored_themes={("d", 0): ["x"], ("d", 1): ["a", "b"], ("d", 2): ["a"]},
        stored_texts={
            ("d", 0): "Known sentence.",
            ("d", 1): "Stored sentence.",
            ("d", 2): "Re-analysed text.",
        },
        labelled={"known sentence.": ["a", "b"]},
        theme_ids=["a", "b", "c"],
    )
    assert [(i.text, i.themes) for i in items] == [
        ("Known  sentence.", ["b"]),  # the human label is the base, not the model's
        ("Stored sentence.", ["a", "c"]),  # the model's themes are the base; unknown themes dropped
        ("Moved sentence.", ["c"]),  # the stored sentence changed since: only the decision counts
    ]


SMALL_THEMES = ("partnerships", "financing", "teacher_capacity")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    """A three-theme taxonomy with a slice of the labels: a real retrain in seconds, not a minute."""
    folder = tmp_path_factory.mktemp("small")
    data = yaml.safe_load(settings.taxonomy_path.read_text(encoding="utf-8"))
    data["themes"] = [t for t in data["themes"] if t["id"] in SMALL_THEMES]
    (folder / "taxonomy.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    train = settings.train_labels.read_text(encoding="utf-8").splitlines()[:300]
    evaluation = settings.eval_labels.read_text(encoding="utf-8").splitlines()[:150]
    (folder / "train.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
    (folder / "eval.jsonl").write_text("\n".join(evaluation) + "\n", encoding="utf-8")
    return settings.model_copy(
        update={
            "taxonomy_path": folder / "taxonomy.yaml",
            "train_labels": folder / "train.jsonl",
            "eval_labels": folder / "eval.jsonl",
            "models_dir": folder / "models",
        }
    )


def _with_models(small: Settings, tmp_path: Path, baseline: Path) -> Settings:
    models = tmp_path / "models"
    shutil.copytree(baseline, models / "theme")
    return small.model_copy(update={"models_dir": models})


@pytest.fixture(scope="module")
def small_baseline(small: Settings, nlp: Language) -> Path:
    train_and_save(small, nlp=nlp)
    return small.theme_model_dir


def test_held_out_sentences_are_never_trained_on(store: ReviewStore, small: Settings, tmp_path: Path) -> None:
    summary = store.summaries[0]
    held, kept = summary.sentences[0], summary.sentences[1]
    evaluation = tmp_path / "eval.jsonl"
    evaluation.write_text(
        json.dumps({"text": held.text.upper(), "themes": ["financing"]}) + "\n", encoding="utf-8"
    )
    settings = small.model_copy(update={"eval_labels": evaluation})
    taxonomy = load_taxonomy(settings.taxonomy_path)
    with Store(store.url, create=False) as db:
        db.record_decision(summary.id, held.i, "financing", "accept", who="t")
        db.record_decision(summary.id, kept.i, "financing", "accept", who="t")
        items, n_corpus, n_reviewed, held_out = training_set(settings, taxonomy, db)
    texts = [item.text for item in items]
    assert held.text not in texts and (n_reviewed, held_out) == (1, 1)
    assert next(item for item in items if item.text == kept.text).themes.count("financing") == 1
    assert len(items) == n_corpus + n_reviewed


@pytest.mark.parametrize(
    ("candidate_f1", "same_model", "reason"),
    [(0.5, False, "is worse than"), (0.8, True, "no new decisions")],
    ids=["worse", "unchanged"],
)
def test_a_worse_or_unchanged_model_is_not_promoted(
    store: ReviewStore,
    small: Settings,
    small_baseline: Path,
    nlp: Language,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    candidate_f1: float,
    same_model: bool,
    reason: str,
) -> None:
    settings = _with_models(small, tmp_path, small_baseline)
    before = model_summary(settings.theme_model_dir)["version"]
    candidate = before if same_model else "candidate"

    def scores(_settings: Settings, model: ThemeModel, **_: Any) -> Evaluation:
        f1 = 0.8 if model.version == before else candidate_f1
        return Evaluation(n_sentences=10, results={"combined": _metrics(f1, financing=f1)})

    monkeypatch.setattr(reviews, "evaluate", scores)
    monkeypatch.setattr(reviews, "train", lambda items, **kw: _renamed(settings, candidate))
    with Store(store.url, create=False) as db:
        result = reviews.retrain_with_reviews(settings, db, nlp=nlp)
    assert not result.promoted and reason in result.reason
    assert result.old_micro_f1 == 0.8 and result.new_micro_f1 == candidate_f1
    assert model_summary(settings.theme_model_dir)["version"] == before
    assert not previous_dir(settings).exists()  # the restore point is untouched
    assert reviews.last_result(settings) == result
    with pytest.raises(ReviewError, match="nothing to restore"):
        restore_previous_model(settings)


def _renamed(settings: Settings, version: str) -> ThemeModel:
    from nlp.training import load_model

    model = load_model(settings.theme_model_dir, taxonomy=load_taxonomy(settings.taxonomy_path))
    model.metadata = {**model.metadata, "version": version}
    return model


def test_retrain_button_promotes_a_model_that_is_not_worse_and_restore_brings_the_old_one_back(
    store: ReviewStore, small: Settings, small_baseline: Path, tmp_path: Path
) -> None:
    settings = _with_models(small, tmp_path, small_baseline)
    old = model_summary(settings.theme_model_dir)["version"]
    client = client_for(store, settings)
    token = csrf_of(client)
    summary = store.summaries[0]
    with Store(store.url, create=False) as db:
        for s in summary.sentences[:8]:
            for theme in s.themes:
                if theme in SMALL_THEMES:
                    db.record_decision(summary.id, s.i, theme, "accept", who="t")
        db.record_decision(
            summary.id, summary.sentences[0].i, "financing", "relabel", new_theme="partnerships", who="t"
        )
    response = client.post("/model/retrain", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/model?done=retrained"
    result = reviews.last_result(settings)
    held_out = load_labels(settings.eval_labels, list(SMALL_THEMES), unknown="drop")
    assert result is not None and result.n_reviewed >= 1 and result.n_eval == len(held_out)
    assert result.promoted == should_promote(result.old_metrics, result.new_metrics)[0]
    assert {theme for theme, *_ in result.per_theme()} == set(SMALL_THEMES)
    page = client.get("/model?done=retrained").text
    assert "old F1" in page and "new F1" in page and result.new_version in page
    assert ("promoted" if result.promoted else "not promoted") in page
    current = model_summary(settings.theme_model_dir)
    if not result.promoted:  # the same data and seed give the same model: promotion is the usual outcome
        assert current["version"] == old
        return
    assert current["version"] == result.new_version != old
    assert current["reviews"]["sentences"] == result.n_reviewed
    assert model_summary(previous_dir(settings))["version"] == old
    response = client.post("/model/restore", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    assert model_summary(settings.theme_model_dir)["version"] == old
    assert model_summary(previous_dir(settings))["version"] == result.new_version  # a restore can be undone
    assert "Restored the previous model" in client.get(response.headers["location"]).text
