"""The analyst review app: server-rendered pages over the store, a review queue and model retraining.

FastAPI + Jinja2, no JavaScript build: every action is a plain form POST (then a redirect, so reloading
never repeats it), and one small static script adds keyboard shortcuts. See :mod:`review.security` for
why it is safe to run, and :mod:`review.queue` for how the queue is ordered.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from spacy.language import Language
from starlette.exceptions import HTTPException as StarletteHTTPException

from flows.models.retrain import (
    ReviewError,
    last_result,
    model_summary,
    previous_dir,
    restore_previous_model,
    retrain_with_reviews,
)
from flows.settings import Settings
from flows.store import Store, StoreError
from nlp.linguistic import reading_text, strip_markup
from nlp.taxonomy import load_taxonomy
from review import security as sec
from review.data import document_pieces, document_rows, recent_decisions, takeaway_rows, theme_rows
from review.queue import QueueSource, build_queue, decided_pairs

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
logger = logging.getLogger(__name__)
QUEUE_PAGE = 25
MAX_SENTENCE = 10_000_000
"""Sentence numbers beyond any document's; a bigger one is refused before it reaches the database."""
_DOC_ID = re.compile(r"^[0-9a-f]{8,64}$")
_FILE_TYPES = {
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".parquet": "application/octet-stream",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
"""Only outputs the pipeline writes are served; the database and anything else in the folder are not."""


def create_app(*, db_url: str, settings: Settings, token: str | None, out_dir: Path | None = None) -> FastAPI:
    """The review app over the store at ``db_url``. With ``token`` every request must carry it (header,
    or the cookie a ``?token=`` visit sets); without, only loopback ``Host`` names are served."""
    store = Store(db_url, create=False)
    taxonomy = load_taxonomy(settings.taxonomy_path)
    theme_ids = set(taxonomy.ids)
    labels = {t.id: t.label for t in taxonomy.themes}
    folder = (out_dir or settings.out_dir).resolve()  # never the database's folder
    queue_source = QueueSource(store, taxonomy, settings.theme_model_dir)
    retrain_lock = threading.Lock()
    nlp_holder: list[Language] = []

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda value: f"{100 * float(value):.0f}%"
    env.filters["reading"] = reading_text
    env.filters["unmarked"] = strip_markup
    env.filters["f3"] = lambda value: "-" if value is None else f"{float(value):.3f}"
    env.filters["when"] = _when
    env.globals["labels"] = labels
    env.globals["http_link"] = _http_link

    app = FastAPI(title="Takeaways review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def render(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(
            csrf=getattr(request.state, "csrf", ""),
            who=who_of(request),
            here=request.url.path,
            queue_size=None,
            **context,
        )
        return HTMLResponse(html, status_code=code)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        host = sec.host_name(request.headers.get("host", ""))
        if token is None and host.lower() not in sec.LOOPBACK_NAMES:
            return _plain(400, "Unexpected Host header: open the app as http://127.0.0.1:PORT/")
        if token is not None:
            offered = request.query_params.get(sec.TOKEN_QUERY)
            if offered is not None:
                if not hmac.compare_digest(offered.encode(), token.encode()):
                    return _plain(401, "Wrong access token.")
                response: Response = RedirectResponse(sec.url_without_token(request), status_code=303)
                response.set_cookie(
                    sec.TOKEN_COOKIE, sec.session_value(token), httponly=True, samesite="strict", path="/"
                )
                return _harden(response, request)
            if not sec.token_ok(request, token):
                return _plain(
                    401, "This review app needs its access token: open the address the server printed."
                )
        csrf = sec.csrf_cookie(request)
        request.state.csrf = csrf or sec.new_csrf()
        try:
            response = await call_next(request)
        except Exception:  # a bug must not answer without the security headers (nor with a traceback)
            logger.exception("the review app failed on %s %s", request.method, request.url.path)
            return _harden(_plain(500, "Something went wrong on the server; the log says what."), request)
        if csrf is None:
            response.set_cookie(
                sec.CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict", path="/"
            )
        return _harden(response, request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return render(
            request, "error.html", code=exc.status_code, status_code=exc.status_code, detail=exc.detail
        )

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        status = store.status(last_runs=10)
        return render(
            request,
            "overview.html",
            status=status,
            themes=theme_rows(store, taxonomy),
            model=model_summary(settings.theme_model_dir),
            taxonomy_name=taxonomy.name,
        )

    @app.get("/documents", response_class=HTMLResponse)
    def documents(request: Request) -> HTMLResponse:
        return render(request, "documents.html", documents=document_rows(store))

    def full_id(prefix: str) -> str:
        """A document id from the whole id or a unique prefix (the CLI prints short ids)."""
        try:
            return store.resolve_id(prefix)
        except StoreError as exc:
            raise HTTPException(404, str(exc)) from None

    @app.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document(request: Request, doc_id: str) -> Response:
        full = full_id(doc_id) if _DOC_ID.match(doc_id) else ""
        if full != doc_id:
            if not full:
                raise HTTPException(404, "no such document in the store")
            return RedirectResponse(f"/documents/{full}", status_code=307)
        summary = store.summaries([full])[0]
        files = {
            name: f"/files/{path}"
            for name, path in (
                ("summary JSON", f"summaries/{summary.id}.json"),
                ("draft (Markdown)", f"drafts/{summary.id}.md"),
                ("draft (DOCX)", f"drafts/{summary.id}.docx"),
            )
            if (folder / path).is_file()
        }
        decisions = store.decisions(summary.id)
        starts = {s.start: s.i for s in summary.sentences}
        return render(
            request,
            "document.html",
            doc=summary,
            pieces=document_pieces(summary, decisions),
            headline_sentence={t.rank: starts.get(t.start) for t in summary.takeaways},
            pending=len(store.pending_reviews(summary.id).get(summary.id, [])),
            files=files,
            saved=request.query_params.get("saved"),
        )

    @app.get("/themes", response_class=HTMLResponse)
    def themes(request: Request) -> HTMLResponse:
        return render(request, "themes.html", themes=theme_rows(store, taxonomy))

    @app.get("/takeaways", response_class=HTMLResponse)
    def takeaways(request: Request, theme: str | None = None) -> HTMLResponse:
        chosen = theme if theme in theme_ids else None
        return render(request, "takeaways.html", takeaways=takeaway_rows(store, theme=chosen), theme=chosen)

    @app.get("/review", response_class=HTMLResponse)
    def review_queue(request: Request, theme: str | None = None, doc: str | None = None) -> HTMLResponse:
        chosen = theme if theme in theme_ids else None
        doc_id = full_id(doc) if doc and _DOC_ID.match(doc) else None
        items, open_suggestions = build_queue(
            queue_source.candidates(), decided_pairs(store), theme=chosen, document_id=doc_id
        )
        return render(
            request,
            "review.html",
            items=items[:QUEUE_PAGE],
            total=len(items),
            open_suggestions=open_suggestions,
            theme=chosen,
            doc=doc_id,
            theme_ids=taxonomy.ids,
            model_loaded=queue_source.model() is not None,
            recent=recent_decisions(store),
            saved=request.query_params.get("saved"),
        )

    @app.post("/review/decide")
    def decide(request: Request, form: sec.CheckedForm) -> Response:
        action = form.get("action", "")
        theme = form.get("theme", "")
        new_theme = form.get("new_theme") or None
        if action not in ("accept", "reject", "relabel"):
            raise HTTPException(400, "unknown action")
        if theme not in theme_ids:
            raise HTTPException(400, "unknown theme")
        if action == "relabel":
            if new_theme not in theme_ids or new_theme == theme:
                raise HTTPException(400, "choose another theme to relabel to")
        else:
            new_theme = None
        try:
            sentence_i = int(form.get("sentence_i", ""))
        except ValueError:
            raise HTTPException(400, "bad sentence number") from None
        if not 0 <= sentence_i <= MAX_SENTENCE:
            raise HTTPException(400, "bad sentence number")
        who = sec.clean_who(form.get("who") or who_of(request))
        note = (form.get("note") or "").strip()[:500] or None
        try:
            decision = store.record_decision(
                form.get("document_id", ""),
                sentence_i,
                theme,
                action,  # type: ignore[arg-type]  # checked above
                who=who,
                new_theme=new_theme,
                note=note,
            )
        except StoreError as exc:
            raise HTTPException(404, str(exc)) from None
        query: dict[str, str] = {"saved": str(decision)}
        if form.get("back") == "document" and _DOC_ID.match(form.get("document_id", "")):
            response = RedirectResponse(
                f"/documents/{form['document_id']}?{urlencode(query)}#takeaways", status_code=303
            )
            _remember_who(response, who)
            return response
        if form.get("filter_theme") in theme_ids:
            query["theme"] = form["filter_theme"]
        if _DOC_ID.match(form.get("filter_doc", "")):
            query["doc"] = form["filter_doc"]
        response = RedirectResponse(f"/review?{urlencode(query)}", status_code=303)
        _remember_who(response, who)
        return response

    @app.post("/who")
    def set_who(request: Request, form: sec.CheckedForm) -> Response:
        response = RedirectResponse("/review", status_code=303)
        _remember_who(response, sec.clean_who(form.get("who")))
        return response

    @app.get("/model", response_class=HTMLResponse)
    def model_page(request: Request) -> HTMLResponse:
        return render(
            request,
            "model.html",
            current=model_summary(settings.theme_model_dir),
            previous=model_summary(previous_dir(settings)),
            result=last_result(settings),
            decisions=store.status()["decisions"],
            busy=retrain_lock.locked(),
            done=request.query_params.get("done"),
        )

    @app.post("/model/retrain")
    def retrain(request: Request, form: sec.CheckedForm) -> Response:
        if not retrain_lock.acquire(blocking=False):
            raise HTTPException(409, "a retrain is already running: wait for it to finish")
        try:
            if not nlp_holder:
                from nlp.linguistic import analysis_pipeline

                nlp_holder.append(analysis_pipeline(settings.spacy_model))
            retrain_with_reviews(settings, store, nlp=nlp_holder[0], who=who_of(request))
        finally:
            retrain_lock.release()
        return RedirectResponse("/model?done=retrained", status_code=303)

    @app.post("/model/restore")
    def restore(request: Request, form: sec.CheckedForm) -> Response:
        if not retrain_lock.acquire(blocking=False):
            raise HTTPException(409, "a retrain is running: restore when it has finished")
        try:
            restore_previous_model(settings)
        except ReviewError as exc:
            raise HTTPException(409, str(exc)) from None
        finally:
            retrain_lock.release()
        return RedirectResponse("/model?done=restored", status_code=303)

    @app.get("/files/{path:path}")
    def files(path: str) -> Response:
        target = sec.safe_file(folder, path)
        kind = _FILE_TYPES.get(target.suffix.lower())
        if kind is None:
            raise HTTPException(404, "no such file")
        response = FileResponse(target, media_type=kind)
        if target.suffix.lower() in (".docx", ".parquet"):
            response.headers["content-disposition"] = f"attachment; filename*=UTF-8''{quote(target.name)}"
        response.headers["content-security-policy"] = sec.FILE_CSP
        return response

    return app


def who_of(request: Request) -> str:
    """The reviewer's name remembered in a cookie (default "analyst")."""
    return sec.clean_who(unquote(request.cookies.get(sec.WHO_COOKIE, "")))


def _remember_who(response: Response, who: str) -> None:
    response.set_cookie(
        sec.WHO_COOKIE, quote(who), max_age=365 * 24 * 3600, httponly=True, samesite="strict", path="/"
    )


def _harden(response: Response, request: Request) -> Response:
    headers = response.headers
    headers.setdefault("content-security-policy", sec.PAGE_CSP)
    headers["x-content-type-options"] = "nosniff"
    headers["referrer-policy"] = "no-referrer"
    headers["x-frame-options"] = "DENY"
    headers["cross-origin-opener-policy"] = "same-origin"
    if not request.url.path.startswith("/static/"):
        headers["cache-control"] = "no-store"
    return response


def _plain(status: int, message: str) -> Response:
    response = Response(message + "\n", status_code=status, media_type="text/plain; charset=utf-8")
    response.headers["content-security-policy"] = sec.PAGE_CSP
    response.headers["x-content-type-options"] = "nosniff"
    return response


def _when(value: object) -> str:
    """A stored time in UTC, to the minute."""
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, str) and value:
        return value.replace("T", " ")[:16] + " UTC"
    return "" if value is None else str(value)


def _http_link(value: str | None) -> str | None:
    """``value`` if it is an http(s) URL safe to put in href, else None (``javascript:`` and the like
    are shown as text, never linked)."""
    if value and re.match(r"^https?://[^\s\"'<>]+$", value, flags=re.IGNORECASE):
        return value
    return None


def serve_review(
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    *,
    db_url: str | None = None,
    settings: Settings | None = None,
) -> None:
    """Run the review app with uvicorn. A non-loopback ``host`` is refused unless a token is given
    (argument or ``$TAKEAWAYS_REVIEW_TOKEN``), and then every request must carry it."""
    import os

    import uvicorn

    from flows.settings import get_settings

    token = token or os.environ.get(sec.TOKEN_ENV) or None
    sec.check_bind(host, token)
    settings = settings or get_settings()
    url = settings.store_url(db_url)
    app = create_app(db_url=url, settings=settings, token=token)
    shown = f"[{host}]" if ":" in host else host
    login = f"?{sec.TOKEN_QUERY}={quote(token)}" if token else ""
    print(
        f"Takeaways review on http://{shown}:{port}/{login}  (store: {app.state.store.where}; Ctrl-C stops)"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)
