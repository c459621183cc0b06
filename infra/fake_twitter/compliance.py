"""The fake's compliance side: posts deleted and accounts suspended, protected or deactivated on X, what the
lookups answer for them, and X's batch compliance jobs with their upload and download over loopback HTTP.

    state.compliance.delete_tweet(id)              the author deletes a post (it leaves every read)
    state.compliance.set_user(id, "suspended")     X suspends an account ("protected", "deactivated", "active")

    GET  /2/tweets?ids=                 data for visible posts; errors: not found (deleted, or the author is
                                        suspended/deactivated), not authorized (the author is protected)
    GET  /2/users?ids=                  data (protected users with protected: true); errors: suspended, not found
    POST /2/compliance/jobs             {"type": "tweets"|"users", "name"}: a job with upload_url, download_url
    GET  /2/compliance/jobs/:id         created -> in_progress (ids uploaded) -> complete (`processing` later)
    GET  /2/compliance/jobs?type=       the app's jobs of that type (newest first), `status` filters
    PUT  <upload_url>                   text/plain, one id per line (a signed storage URL: no bearer)
    GET  <download_url>                 JSON lines {"id", "action": "delete", "created_at", "redacted_at", "reason"}

Batch compliance exists on the tiers in JOB_TIERS (others: 403 client-forbidden), as `COMPLIANCE_MODE=auto` assumes.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from activecare.clock import iso_z
from infra.fake_twitter.problems import PROBLEM_BASE, ApiError, invalid_request

if TYPE_CHECKING:
    from infra.fake_twitter.api import ApiRequest
    from infra.fake_twitter.state import FakeTwitterState

JSON = dict[str, Any]
JOB_TIERS = frozenset({"pro", "enterprise"})
USER_STATES = ("active", "suspended", "protected", "deactivated")
UPLOAD_WINDOW = timedelta(minutes=15)
DOWNLOAD_WINDOW = timedelta(days=7)
LOOKUP_MAX = 100


@dataclass
class Job:
    id: str
    type: str
    name: str
    created_at: datetime
    token: str
    uploaded_at: datetime | None = None
    ids: list[str] = field(default_factory=list)
    results: list[JSON] | None = None


class Compliance:
    """Deletions, account states and compliance jobs of one fake X (guarded by the state's lock)."""

    def __init__(self, state: FakeTwitterState) -> None:
        self.state = state
        self.deleted: dict[str, JSON] = {}  # tweet id -> {"author_id", "created_at", "deleted_at"}
        self.user_states: dict[str, tuple[str, datetime]] = {}  # user id -> (state, since)
        self.jobs: dict[str, Job] = {}
        self.processing = timedelta(minutes=2)  # upload -> complete, on the fake clock
        self.storage_base = ""  # the server's base URL: signed upload/download URLs point at it
        self.uploads = 0
        self.downloads = 0

    # --- the world ------------------------------------------------------------------------

    def delete_tweet(self, tweet_id: str) -> bool:
        """The author deletes the post: gone from search, timelines and lookups. False if unknown or gone."""
        with self.state.lock:
            tweet = self.state.remove_tweet(tweet_id)
            if tweet is None:
                return False
            self.deleted[tweet_id] = {"author_id": tweet["author_id"], "created_at": tweet["created_at"],
                                      "deleted_at": iso_z(self.state.now())}
            return True

    def set_user(self, user_id: str, status: str) -> None:
        """Suspend, protect, deactivate or restore ("active") an account."""
        if status not in USER_STATES:
            raise ValueError(f"unknown user state {status!r}; expected one of {USER_STATES}")
        with self.state.lock:
            user = self.state.user(user_id)
            if user is None:
                raise LookupError(f"no user {user_id}")
            user["protected"] = status == "protected"
            if status == "active":
                self.user_states.pop(user_id, None)
            else:
                self.user_states[user_id] = (status, self.state.now())

    def user_state(self, user_id: str) -> str:
        with self.state.lock:
            return self.user_states.get(user_id, ("active",))[0]

    def timeline_error(self, user_id: str, viewer: str | None) -> JSON | None:
        """The error item a timeline read of `user_id` answers with (HTTP 200, errors only), or None."""
        status = self.user_state(user_id)
        if status == "suspended":
            return _suspended(user_id, "id")
        if status == "deactivated":
            return _not_found("user", user_id, "id")
        if status == "protected" and viewer != user_id:
            return _not_authorized("user", user_id, "id")
        return None

    def readable(self, tweet_id: str) -> bool:
        """Search and mentions show no posts of suspended, deactivated or protected accounts."""
        if not self.user_states:
            return True
        return self.user_state((self.state.tweet(tweet_id) or {}).get("author_id", "")) == "active"

    def tweet_reason(self, tweet_id: str) -> str | None:
        """Why the post is not readable: "deleted", "suspended", "protected", "deactivated"; None when it is."""
        with self.state.lock:
            if tweet_id in self.deleted:
                return "deleted"
            tweet = self.state.tweet(tweet_id)
            if tweet is None or not self.state.is_visible(tweet_id):
                return None
            status = self.user_state(tweet["author_id"])
            return None if status == "active" else status

    # --- lookups ----------------------------------------------------------------------------

    def tweets_lookup(self, req: ApiRequest) -> tuple[int, JSON]:
        from infra.fake_twitter.api import Shape, page_body

        ids = _ids(req.params, "ids")
        shape = Shape.parse({k: v for k, v in req.params.items() if k != "ids"})
        with self.state.lock:
            visible, errors = [], []
            for tid in ids:
                reason = self.tweet_reason(tid)
                if reason == "protected" and req.user_id != (self.state.tweet(tid) or {}).get("author_id"):
                    errors.append(_not_authorized("tweet", tid, "ids"))
                elif reason in ("deleted", "suspended", "deactivated") or not self.state.is_visible(tid):
                    errors.append(_not_found("tweet", tid, "ids"))
                else:
                    visible.append(tid)
            body = page_body(self.state, visible, None, shape) if visible else {}
            body.pop("meta", None)
        if errors:
            body["errors"] = errors
        return 200, body

    def users_lookup(self, req: ApiRequest) -> tuple[int, JSON]:
        from infra.fake_twitter.api import USER_EXPANSIONS, Shape

        ids = _ids(req.params, "ids")
        shape = Shape.parse({k: v for k, v in req.params.items() if k != "ids"}, USER_EXPANSIONS)
        data, errors = [], []
        with self.state.lock:
            for uid in ids:
                status = self.user_state(uid)
                user = self.state.render_user(uid, shape.user_fields - {"connection_status"})
                if status == "suspended":
                    errors.append(_suspended(uid, "ids"))
                elif status == "deactivated" or user is None:
                    errors.append(_not_found("user", uid, "ids"))
                else:
                    if "connection_status" in shape.user_fields and req.user_id is not None:
                        user["connection_status"] = self.state.social.connection_status(req.user_id, uid)
                    data.append(user)
        body: JSON = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return 200, body

    # --- batch compliance jobs ------------------------------------------------------------------

    def create_job(self, req: ApiRequest) -> tuple[int, JSON]:
        if self.state.tier not in JOB_TIERS:
            raise ApiError(403, {"title": "Client Forbidden", "type": PROBLEM_BASE + "client-forbidden",
                                 "reason": "client-not-enrolled",
                                 "detail": f"Batch compliance is not available on the {self.state.tier} access level.",
                                 "registration_url": "https://developer.x.com/en/portal/product"})
        try:
            body = json.loads(req.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise invalid_request(f"The request body is not valid JSON: {exc}") from exc
        if not isinstance(body, dict) or any(k not in ("type", "name", "resumable") for k in body):
            raise invalid_request("$: expected {type, name, resumable}")
        if body.get("type") not in ("tweets", "users"):
            raise invalid_request("$.type: must be one of [tweets, users]")
        name = str(body.get("name") or "")
        if len(name) > 64:
            raise invalid_request("$.name: must be at most 64 characters")
        with self.state.lock:
            job = Job(id=str(1_800_000_000_000_000_000 + len(self.jobs) + 1), type=body["type"], name=name,
                      created_at=self.state.now(), token=secrets.token_hex(8))
            self.jobs[job.id] = job
            return 200, {"data": self._render(job)}

    def get_job(self, req: ApiRequest) -> tuple[int, JSON]:
        with self.state.lock:
            job = self.jobs.get(req.path_id)
            if job is None:
                return 200, {"errors": [_not_found("compliance_job", req.path_id, "id")]}
            return 200, {"data": self._render(job)}

    def list_jobs(self, req: ApiRequest) -> tuple[int, JSON]:
        kind, status = req.params.get("type"), req.params.get("status")
        if kind not in ("tweets", "users"):
            raise invalid_request("The `type` query parameter is required: one of [tweets, users]",
                                  {"type": [kind or ""]})
        with self.state.lock:
            jobs = [self._render(j) for j in sorted(self.jobs.values(), key=lambda j: int(j.id), reverse=True)
                    if j.type == kind]
        jobs = [j for j in jobs if status is None or j["status"] == status]
        return 200, ({"data": jobs, "meta": {"result_count": len(jobs)}} if jobs else {"meta": {"result_count": 0}})

    def status(self, job: Job) -> str:
        now = self.state.now()
        if job.uploaded_at is None:
            return "expired" if now > job.created_at + UPLOAD_WINDOW else "created"
        if now < job.uploaded_at + self.processing:
            return "in_progress"
        if now > job.uploaded_at + self.processing + DOWNLOAD_WINDOW:
            return "expired"
        if job.results is None:
            job.results = self._results(job)
        return "complete"

    def _results(self, job: Job) -> list[JSON]:
        """One line per non-compliant id, as of completion (X: deleted, suspended, protected, deactivated)."""
        now = iso_z(self.state.now())
        out = []
        for raw in job.ids:
            if job.type == "tweets":
                reason = self.tweet_reason(raw)
                record = self.deleted.get(raw) or self.state.tweet(raw) or {}
                created = record.get("created_at")
            else:
                reason = None if self.user_state(raw) == "active" else self.user_state(raw)
                created = (self.state.user(raw) or {}).get("created_at")
            if reason:
                out.append({"id": raw, "action": "delete", "created_at": created or now,
                            "redacted_at": (self.deleted.get(raw) or {}).get("deleted_at") or now, "reason": reason})
        return out

    def _render(self, job: Job) -> JSON:
        base = f"{self.storage_base}/_storage/compliance/{job.id}"
        return {"id": job.id, "type": job.type, "name": job.name, "resumable": False, "status": self.status(job),
                "created_at": iso_z(job.created_at),
                "upload_url": f"{base}/upload?signature={job.token}",
                "upload_expires_at": iso_z(job.created_at + UPLOAD_WINDOW),
                "download_url": f"{base}/download?signature={job.token}",
                "download_expires_at": iso_z(job.created_at + UPLOAD_WINDOW + DOWNLOAD_WINDOW)}

    # --- the signed storage URLs ----------------------------------------------------------------

    def storage(self, method: str, path: str, signature: str, body: bytes) -> tuple[int, bytes, str]:
        """PUT .../upload or GET .../download: (status, body, content type)."""
        parts = path.strip("/").split("/")  # _storage, compliance, <job id>, upload|download
        with self.state.lock:
            job = self.jobs.get(parts[2]) if len(parts) == 4 else None
            if job is None or signature != job.token:
                return 403, b"<Error><Code>AccessDenied</Code></Error>", "application/xml"
            if parts[3] == "upload" and method == "PUT":
                if self.status(job) != "created":
                    return 400, b"<Error><Code>ExpiredToken</Code></Error>", "application/xml"
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    return 400, b"<Error><Code>InvalidArgument</Code></Error>", "application/xml"
                job.ids = [line.strip() for line in text.splitlines() if line.strip()]
                job.uploaded_at = self.state.now()
                self.uploads += 1
                return 200, b"", "text/plain"
            if parts[3] == "download" and method == "GET":
                if self.status(job) != "complete":
                    return 404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml"
                self.downloads += 1
                lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in job.results or [])
                return 200, lines.encode("utf-8"), "application/json"
        return 405, b"", "text/plain"

    def clear(self) -> None:
        with self.state.lock:
            self.deleted.clear()
            self.user_states.clear()
            self.jobs.clear()
            self.uploads = self.downloads = 0


def _ids(params: dict[str, str], name: str) -> list[str]:
    raw = params.get(name, "")
    ids = [v for v in raw.split(",") if v]
    if not ids or len(ids) > LOOKUP_MAX or not all(v.isdigit() and len(v) <= 19 for v in ids):
        raise invalid_request(f"The `{name}` query parameter value [{raw}] is not 1-{LOOKUP_MAX} comma-separated "
                              "ids matching ^[0-9]{1,19}$", {name: [raw]})
    return list(dict.fromkeys(ids))


def _not_found(resource: str, rid: str, parameter: str) -> JSON:
    plural = "ids" if parameter == "ids" else "id"
    return {"value": rid, "detail": f"Could not find {resource} with {plural}: [{rid}].", "title": "Not Found Error",
            "resource_type": resource, "parameter": parameter, "resource_id": rid,
            "type": PROBLEM_BASE + "resource-not-found"}


def _suspended(user_id: str, parameter: str) -> JSON:
    return {"value": user_id, "detail": f"User has been suspended: [{user_id}].", "title": "Forbidden",
            "resource_type": "user", "parameter": parameter, "resource_id": user_id,
            "type": PROBLEM_BASE + "resource-not-found"}


def _not_authorized(resource: str, rid: str, parameter: str) -> JSON:
    what = "Tweet" if resource == "tweet" else resource
    plural = "ids" if parameter == "ids" else "id"
    return {"value": rid, "detail": f"Sorry, you are not authorized to see the {what} with {plural}: [{rid}].",
            "title": "Authorization Error", "resource_type": resource, "parameter": parameter, "resource_id": rid,
            "section": "data", "type": PROBLEM_BASE + "not-authorized-for-resource"}
