"""The web desk's static files, served by the desk function itself: same origin as the API (no CORS, no
bucket or CDN to deploy and keep in step with the code), a few small files cached by ETag. The files hold
no data; everything an agent sees comes from the API with their token."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from activecare.settings import Settings

ROOT = Path(__file__).resolve().parent / "web"
_NAME = re.compile(r"^[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)?\.[a-z0-9]{1,5}$|^[A-Za-z0-9_-]+/[A-Za-z0-9_.-]+$")
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".json": "application/json", ".png": "image/png",
          ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8", ".ico": "image/x-icon"}
# Everything from our own origin; no inline script; frames and plugins off.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' https:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self' https:; object-src 'none'")
_SECURITY = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
SPA_PATHS = frozenset({"index.html", "callback"})  # the sign-in callback is the same page


@cache
def _load(name: str) -> tuple[bytes, str] | None:
    path = (ROOT / name).resolve()
    if ROOT not in path.parents or not path.is_file():
        return None
    body = path.read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def file_response(name: str, headers: dict[str, str] | None = None) -> Response[bytes]:
    """A file of the web desk (index.html for the page itself and its sign-in callback), or 404."""
    if name in SPA_PATHS:
        name = "index.html"
    found = _load(name) if _NAME.match(name) else None
    if found is None:
        return Response(404, "application/json", json.dumps(
            {"error": f"no file {name[:80]!r} in the web desk", "code": "no_file", "status": 404}).encode())
    body, etag = found
    kind = _TYPES.get(Path(name).suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    extra = {**_SECURITY, "ETag": etag, "Cache-Control": "no-cache"}
    if (headers or {}).get("if-none-match") == etag:
        return Response(304, kind, b"", headers=extra)
    return Response(200, kind, body, headers=extra)


def config_response(settings: Settings) -> Response[str]:
    """What the page needs before sign-in: where to sign in, the service hours, the access level, the accounts."""
    base = settings.auth_base_url.rstrip("/")
    auth = {"authorize_url": f"{base}/oauth2/authorize", "token_url": f"{base}/oauth2/token",
            "logout_url": f"{base}/logout", "client_id": settings.web_client_id,
            "redirect_uri": settings.desk_url.rstrip("/") + "/desk/callback" if settings.desk_url else "",
            "scope": "openid profile email"}
    body = {"auth": auth, "service_hours": str(settings.service_hours), "access_level": settings.access_level,
            "accounts": [{"key": a.key, "username": a.username} for a in settings.accounts]}
    return Response(200, "application/json", json.dumps(body, ensure_ascii=False),
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
