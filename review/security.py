"""What keeps the review app safe to run on an analyst's laptop: loopback by default, an access token for
anything else, CSRF tokens on every POST, a Host check against DNS rebinding, strict response headers
and file paths that cannot leave the output folder.

Why each:
- the app shows and changes unpublished material; on 127.0.0.1 only local users reach it, so another
  interface is refused unless a token is required on every request;
- a page on another site could otherwise make the browser POST decisions (CSRF): every POST needs the
  form token to equal a random, ``SameSite=Strict`` cookie (double submit);
- a site could rebind its own name to 127.0.0.1 and read the pages as same-origin: without a token
  only loopback names are accepted in ``Host``;
- document text is untrusted: templates escape it, and the Content-Security-Policy forbids inline
  scripts so a miss in escaping still cannot run code.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from pathlib import Path, PurePosixPath
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import Depends, HTTPException, Request

TOKEN_ENV = "TAKEAWAYS_REVIEW_TOKEN"
MIN_TOKEN_LENGTH = 16
CSRF_COOKIE = "takeaways_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
TOKEN_COOKIE = "takeaways_session"
TOKEN_HEADER = "x-takeaways-token"
TOKEN_QUERY = "token"
WHO_COOKIE = "takeaways_who"
DEFAULT_WHO = "analyst"
MAX_FORM_BYTES = 64 * 1024
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_CSRF_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{32,64}$")

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
FILE_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""Files from the output folder (report.html, drafts) are shown as an opaque origin with no scripts."""


class ReviewConfigError(ValueError):
    """The review server cannot start as asked (e.g. a public interface without a token)."""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses; any other name could reach a real interface."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse a non-loopback interface without a token, and a token too short to resist guessing."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ReviewConfigError(
            f"the access token must have at least {MIN_TOKEN_LENGTH} characters "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe())')"
        )
    if not is_loopback(host) and token is None:
        raise ReviewConfigError(
            f"refusing to listen on {host}: anyone who can reach it could read and change the reviews. "
            f"Use 127.0.0.1, or set --token (or ${TOKEN_ENV}) so every request must carry it."
        )


def host_name(header: str) -> str:
    """The name part of a Host header (``[::1]:8765`` -> ``::1``)."""
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def session_value(token: str) -> str:
    """What the login cookie holds: derived from the token, so the cookie never holds the token."""
    return hmac.new(token.encode(), b"takeaways-review-session", hashlib.sha256).hexdigest()


def token_ok(request: Request, token: str) -> bool:
    """The token in a header, an ``Authorization: Bearer`` header, or the login cookie."""
    offered = request.headers.get(TOKEN_HEADER)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        offered = auth[7:].strip()
    if offered is not None and hmac.compare_digest(offered.encode(), token.encode()):
        return True
    cookie = request.cookies.get(TOKEN_COOKIE)
    return cookie is not None and hmac.compare_digest(cookie.encode(), session_value(token).encode())


def url_without_token(request: Request) -> str:
    """The request's path and query, less ``token``: where a ``?token=`` login redirects to."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_QUERY]
    path = "/" + request.url.path.lstrip("/")  # never "//host": that would redirect off the site
    return path + (f"?{urlencode(query)}" if query else "")


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_cookie(request: Request) -> str | None:
    value = request.cookies.get(CSRF_COOKIE)
    return value if value and _CSRF_SHAPE.match(value) else None


async def checked_form(request: Request) -> dict[str, str]:
    """A POSTed URL-encoded form whose CSRF token matches the cookie (else 403); its fields.

    Parsed here rather than with FastAPI's ``Form`` so the app needs no multipart parser; every POST
    route depends on this, so none can forget the CSRF check.
    """
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    if origin is not None and origin != "null" and origin.split("://", 1)[-1] != host:
        raise HTTPException(403, "cross-origin form submission refused")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "form too large")
    if kind not in ("application/x-www-form-urlencoded", "") and body:
        raise HTTPException(415, "expected an application/x-www-form-urlencoded form")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(400, "unreadable form") from exc
    form = {key: values[-1] for key, values in parsed.items()}
    offered = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = csrf_cookie(request)
    if expected is None or not hmac.compare_digest(offered.encode(), expected.encode()):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return form


def clean_who(value: str | None) -> str:
    """A reviewer's name as stored: printable, one line, at most 60 characters; default "analyst"."""
    text = "".join(ch for ch in " ".join((value or "").split()) if ch.isprintable())[:60].strip()
    return text or DEFAULT_WHO


def safe_file(root: Path, relative: str) -> Path:
    """The file ``relative`` names inside ``root``; 404 for anything that would leave it, a hidden file,
    or a file that is not there (symlinks out of the folder count as leaving it)."""
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if not parts or relative.startswith("/") or any(p in ("..", ".") or p.startswith(".") for p in parts):
        raise HTTPException(404, "no such file")
    if any(":" in p or "\x00" in p for p in parts):
        raise HTTPException(404, "no such file")
    base = root.resolve()
    target = base.joinpath(*parts).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise HTTPException(404, "no such file")
    return target


CheckedForm = Annotated[dict[str, str], Depends(checked_form)]
"""The parameter type of every POST route: the form, after the CSRF check."""
