"""The sweep's X adapter over tweepy (app-only bearer): lookups by id and batch compliance jobs.

The gateway's `call` maps X's answers (429 -> RateLimited, 5xx and transport -> TwitterUnavailable, other 4xx ->
TwitterRejected). The job's upload and download URLs are signed storage URLs outside api.x.com: they are
reached with plain `requests` and no bearer token (X's guide: PUT text/plain, one id per line; GET JSON lines).
"""

from __future__ import annotations

import json
from typing import Any

import requests

from activecare.compliance.models import Job, Kind, LookupResult, Verdict
from activecare.twitter.gateway import TweepyGateway, gone_reason, raw_data
from activecare.twitter.port import TwitterRejected, TwitterUnavailable

TIMEOUT_S = 60.0
_REASONS = {"deleted", "suspended", "protected", "deactivated"}


class TweepyComplianceX:
    """ComplianceLookup and ComplianceJobs for one app."""

    def __init__(self, gateway: TweepyGateway, http: requests.Session | None = None) -> None:
        self.gateway = gateway
        self.http = http or requests.Session()

    # --- lookups --------------------------------------------------------------------------------

    def tweets(self, ids: list[str]) -> LookupResult:
        """GET /2/tweets?ids=: a resource error names each deleted or unreadable tweet."""
        resp = self.gateway.call("tweets_lookup", lambda: self.gateway.client.get_tweets(ids, user_auth=False))
        return _result("tweets", ids, resp)

    def users(self, ids: list[str]) -> LookupResult:
        """GET /2/users?ids=: suspended and deleted accounts are errors; protected ones are data, protected."""
        resp = self.gateway.call("users_lookup", lambda: self.gateway.client.get_users(
            ids=ids, user_fields=["protected"], user_auth=False))
        result = _result("users", ids, resp)
        protected = [str(d["id"]) for d in (raw_data(u) or {} for u in resp.data or []) if d.get("protected")]
        return LookupResult(gone=[*result.gone, *(Verdict(id=i, kind="users", reason="protected") for i in protected)],
                            live=result.live - len(protected))

    # --- batch compliance jobs --------------------------------------------------------------------

    def create(self, kind: Kind, name: str) -> Job:
        resp = self.gateway.call("compliance_jobs", lambda: self.gateway.client.create_compliance_job(kind, name=name))
        return _job(resp.data, resp.errors)

    def find(self, kind: Kind, name: str) -> Job | None:
        resp = self.gateway.call("compliance_jobs", lambda: self.gateway.client.get_compliance_jobs(kind))
        for raw in resp.data or []:
            job = _job(raw, None)
            if job.name == name and job.status not in ("failed", "expired"):
                return job
        return None

    def get(self, job_id: str) -> Job:
        resp = self.gateway.call("compliance_jobs", lambda: self.gateway.client.get_compliance_job(job_id))
        return _job(resp.data, resp.errors)

    def upload(self, job: Job, ids: list[str]) -> None:
        body = "".join(f"{i}\n" for i in ids).encode("ascii")
        resp = self._storage("upload", lambda: self.http.put(job.upload_url, data=body, timeout=TIMEOUT_S,
                                                             headers={"Content-Type": "text/plain"}))
        if resp.status_code != 200:
            raise _storage_error("upload", resp)

    def download(self, job: Job) -> list[Verdict]:
        resp = self._storage("download", lambda: self.http.get(job.download_url, timeout=TIMEOUT_S))
        if resp.status_code != 200:
            raise _storage_error("download", resp)
        verdicts = []
        for line in resp.content.decode("utf-8").splitlines():
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                reason = str(item.get("reason", ""))
                if item.get("action", "delete") == "delete" and reason in _REASONS:
                    verdicts.append(Verdict(id=str(item["id"]), kind=job.kind, reason=reason))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise TwitterUnavailable(f"compliance download: malformed line: {exc!r}") from exc
        return verdicts

    def _storage(self, what: str, fn: Any) -> requests.Response:
        self.gateway.usage[f"compliance_{what}"] = self.gateway.usage.get(f"compliance_{what}", 0) + 1
        try:
            response: requests.Response = fn()
        except requests.RequestException as exc:
            raise TwitterUnavailable(f"compliance {what}: {type(exc).__name__}") from exc
        return response


def _result(kind: Kind, ids: list[str], resp: Any) -> LookupResult:
    gone = []
    asked = set(ids)
    for e in resp.errors or []:
        reason = gone_reason(e)
        rid = str(e.get("resource_id") or e.get("value") or "")
        if reason and rid in asked and e.get("resource_type") in ("tweet", "user"):
            gone.append(Verdict(id=rid, kind=kind, reason=reason))
    return LookupResult(gone=gone, live=len(resp.data or []))


def _job(data: Any, errors: Any) -> Job:
    d = raw_data(data)
    if not d:
        raise TwitterRejected(404, "; ".join(str(e.get("detail", e)) for e in errors or []) or "no compliance job")
    try:
        return Job(id=str(d["id"]), kind=d["type"], name=str(d.get("name") or ""), status=str(d["status"]),
                   upload_url=str(d.get("upload_url") or ""), download_url=str(d.get("download_url") or ""))
    except (KeyError, ValueError) as exc:
        raise TwitterUnavailable(f"compliance job: malformed response: {exc!r}") from exc


def _storage_error(what: str, resp: requests.Response) -> Exception:
    if resp.status_code >= 500:
        return TwitterUnavailable(f"compliance {what}: HTTP {resp.status_code}")
    return TwitterRejected(resp.status_code, f"compliance {what} refused")
