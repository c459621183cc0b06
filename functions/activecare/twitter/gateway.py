"""TwitterPort over the real tweepy v2 `Client`.

tweepy hard-codes ``https://api.twitter.com``; a `requests` transport adapter mounted on the
client's session applies a timeout and, when `base_url` is given (the fake X API, a replay
server), sends the request there instead. tweepy itself is never patched, and
``wait_on_rate_limit`` stays off: a 429 becomes `RateLimited` with the reset time and the
next scheduled run continues.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
import tweepy
from requests.adapters import HTTPAdapter

from activecare.clock import parse_iso
from activecare.twitter.models import Page, Tweet, User
from activecare.twitter.port import (
    DuplicateContent,
    RateLimited,
    ResourceGone,
    TwitterRejected,
    TwitterUnavailable,
)
from activecare.twitter.post_window import PostCounter
from activecare.twitter.snowflake import snowflake_time

API_HOST = "https://api.twitter.com"
TWEET_FIELDS = (
    "created_at", "author_id", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang",
    "entities",
)
USER_FIELDS = ("created_at", "public_metrics", "username", "name")  # me(): the account behind the credentials
EXPANSIONS = ("author_id",)
# X bills every user object a response carries (expansions=author_id): asked for only where used. Search returns
# mostly tweets our matcher drops, so it asks for none: the poller looks up the authors of the matched tweets
# only (`users`, X's default user fields). Mentions are owned reads ($0.001) and keep the expansion. A timeline
# read (the desk's context, the publisher's reconcile) knows its author: no expansion.
ENDPOINTS = ("search", "mentions", "user_tweets", "users", "me", "post")

T = TypeVar("T")


@dataclass(frozen=True)
class OAuth1Credentials:
    """OAuth 1.0a user context (the support account's own keys), used for me() and post()."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


class _Transport(HTTPAdapter):
    """Default timeout for every request; with `base_url`, rewrite the API host to it."""

    def __init__(self, base_url: str | None, timeout: float) -> None:
        super().__init__(max_retries=0)
        self._timeout = timeout
        self._base = urlsplit(base_url.rstrip("/")) if base_url else None
        self._local = self._base is not None and _is_loopback(self._base.hostname or "")

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: bool | str = True, cert: Any = None, proxies: Mapping[str, str] | None = None
             ) -> requests.Response:
        if self._base is not None and request.url:
            url = urlsplit(request.url)
            request.url = urlunsplit((self._base.scheme, self._base.netloc, self._base.path + url.path,
                                      url.query, ""))
            if self._local:
                proxies = {}
        return super().send(request, stream=stream, timeout=timeout if timeout is not None else self._timeout,
                            verify=verify, cert=cert, proxies=None if proxies is None else dict(proxies))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TweepyGateway:
    """The TwitterPort the Lambdas use. `usage` counts requests per endpoint (for the day's
    API usage report); `posts_read` counts posts returned by reads."""

    def __init__(self, client: tweepy.Client, *, user_context_oauth1: bool = False) -> None:
        self.client = client
        self._oauth1 = user_context_oauth1
        self.usage: dict[str, int] = dict.fromkeys(ENDPOINTS, 0)
        self.posts_read = 0
        self.post_counter: PostCounter | None = None  # the account's 15-minute post window (post_window.py)

    # --- TwitterPort ------------------------------------------------------------------

    def search_recent(self, query: str, *, since_id: str | None = None, until_id: str | None = None,
                      start_time: datetime | None = None, end_time: datetime | None = None,
                      next_token: str | None = None, max_results: int = 100) -> Page:
        """GET /2/tweets/search/recent, one page."""
        resp = self.call("search", lambda: self.client.search_recent_tweets(
            query, since_id=since_id, until_id=until_id, start_time=start_time, end_time=end_time,
            next_token=next_token, max_results=max_results, **_shape(authors=False)))
        return self._page("search", resp)

    def mentions(self, user_id: str, *, since_id: str | None = None, until_id: str | None = None,
                 start_time: datetime | None = None, pagination_token: str | None = None,
                 max_results: int = 100) -> Page:
        """GET /2/users/:id/mentions, one page."""
        resp = self.call("mentions", lambda: self.client.get_users_mentions(
            user_id, since_id=since_id, until_id=until_id, start_time=start_time, pagination_token=pagination_token,
            max_results=max_results, user_auth=False, **_shape(authors=True)))
        return self._page("mentions", resp)

    def user_tweets(self, user_id: str, *, since_id: str | None = None, until_id: str | None = None,
                    start_time: datetime | None = None, end_time: datetime | None = None,
                    max_results: int = 5) -> Page:
        """GET /2/users/:id/tweets, one page (newest first)."""
        resp = self.call("user_tweets", lambda: self.client.get_users_tweets(
            user_id, since_id=since_id, until_id=until_id, start_time=start_time, end_time=end_time,
            max_results=max_results, user_auth=False, **_shape(authors=False)))
        return self._page("user_tweets", resp)

    def lookup_users(self, user_ids: list[str]) -> list[User]:
        """GET /2/users?ids= (at most 100), X's default user fields; accounts X reports gone are left out."""
        if not user_ids:
            return []
        resp = self.call("users", lambda: self.client.get_users(ids=list(user_ids), user_auth=False))
        if resp.data is None and resp.errors and not any(e.get("resource_type") == "user" for e in resp.errors):
            raise rejected_from_errors("users", resp.errors)
        return _guard("users", lambda: [_user(raw_data(u) or {}) for u in resp.data or []])

    def me(self) -> User:
        """GET /2/users/me: the account behind the user-context credentials."""
        resp = self.call("me", lambda: self.client.get_me(
            user_auth=self.user_auth, user_fields=list(USER_FIELDS)))
        data = raw_data(resp.data)
        if data is None:
            raise rejected_from_errors("me", resp.errors)
        return _guard("me", lambda: _user(data))

    def post(self, text: str, *, in_reply_to: str | None = None) -> str:
        """POST /2/tweets; returns the new post's id. Duplicate text -> DuplicateContent. Counted in the account's
        post window when the gateway has one."""
        def send() -> str:
            resp = self.call("post", lambda: self.client.create_tweet(
                text=text, in_reply_to_tweet_id=in_reply_to, user_auth=self.user_auth))
            return _guard("post", lambda: str(resp.data["id"]))

        return self.post_counter.around(text, in_reply_to, send) if self.post_counter else send()

    # --- what adapters of other endpoints build on (campaign/x.py) ---------------------------

    @property
    def user_auth(self) -> bool:
        """The `user_auth` of a user-context request: True signs it with the OAuth 1.0a keys, False sends the
        bearer (an OAuth 2.0 user token when no keys were given)."""
        return self._oauth1

    def call(self, endpoint: str, fn: Callable[[], T]) -> T:
        """Run one tweepy request, counted in `usage[endpoint]`, with X's answers mapped: 429 -> RateLimited;
        5xx, transport failures and malformed JSON -> TwitterUnavailable; other 4xx -> TwitterRejected."""
        self.usage[endpoint] = self.usage.get(endpoint, 0) + 1
        try:
            return fn()
        except tweepy.TooManyRequests as exc:
            raise RateLimited(endpoint, _reset_at(exc)) from exc
        except tweepy.TwitterServerError as exc:
            raise TwitterUnavailable(f"{endpoint}: HTTP {exc.response.status_code}: {_detail(exc)}") from exc
        except tweepy.HTTPException as exc:
            status, detail = exc.response.status_code, _detail(exc)
            if status == 403 and "duplicate content" in detail.lower():
                raise DuplicateContent(status, detail) from exc
            raise TwitterRejected(status, detail) from exc
        except requests.RequestException as exc:  # connection, timeout, cut-off body, invalid JSON
            raise TwitterUnavailable(f"{endpoint}: {type(exc).__name__}: {exc}") from exc
        except (KeyError, TypeError, ValueError) as exc:  # JSON that is not the API's shape
            raise TwitterUnavailable(f"{endpoint}: malformed response: {exc!r}") from exc

    # --- plumbing -----------------------------------------------------------------------

    def _page(self, endpoint: str, resp: Any) -> Page:
        if resp.data is None and resp.errors:
            raise rejected_from_errors(endpoint, resp.errors)
        page = _guard(endpoint, lambda: _to_page(resp))
        self.posts_read += len(page.tweets)
        return page


def _shape(*, authors: bool) -> dict[str, list[str]]:
    shape = {"tweet_fields": list(TWEET_FIELDS)}
    return {**shape, "expansions": list(EXPANSIONS)} if authors else shape


def _guard(endpoint: str, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TwitterUnavailable(f"{endpoint}: malformed response: {exc!r}") from exc


def raw_data(obj: Any) -> dict[str, Any] | None:
    """The JSON dict behind a tweepy model (or the dict itself)."""
    if obj is None:
        return None
    return obj.data if hasattr(obj, "data") and isinstance(obj.data, dict) else obj


def _to_page(resp: Any) -> Page:
    users = {u.id: u for u in (_user(raw_data(u) or {}) for u in resp.includes.get("users", []))}
    tweets = [_tweet(raw_data(t) or {}, users) for t in resp.data or []]
    meta = resp.meta or {}
    return Page(
        tweets=tweets,
        newest_id=meta.get("newest_id"),
        oldest_id=meta.get("oldest_id"),
        next_token=meta.get("next_token"),
        result_count=int(meta.get("result_count", len(tweets))),
        users=len(users),
    )


def _user(d: Mapping[str, Any]) -> User:
    metrics = d.get("public_metrics") or {}
    return User(
        id=str(d["id"]),
        username=str(d["username"]),
        name=str(d.get("name", "")),
        created_at=parse_iso(d["created_at"]) if d.get("created_at") else None,
        followers_count=metrics.get("followers_count"),
    )


def _tweet(d: Mapping[str, Any], users: Mapping[str, User]) -> Tweet:
    """A domain Tweet; without created_at (not requested) the time comes from the snowflake id."""
    tid = str(d["id"])
    author_id = str(d.get("author_id") or "")
    refs = tuple((str(r["type"]), str(r["id"])) for r in d.get("referenced_tweets") or [])
    reply_to = d.get("in_reply_to_user_id")
    return Tweet(
        id=tid,
        text=str(d["text"]),
        author_id=author_id,
        created_at=parse_iso(d["created_at"]) if d.get("created_at") else snowflake_time(tid),
        conversation_id=str(d["conversation_id"]) if d.get("conversation_id") else None,
        in_reply_to_user_id=str(reply_to) if reply_to else None,
        referenced_tweets=refs,
        lang=d.get("lang"),
        author=users.get(author_id),
    )


def _reset_at(exc: tweepy.TooManyRequests) -> datetime | None:
    reset = exc.reset_time
    if reset is None:
        header = exc.response.headers.get("x-rate-limit-reset")
        reset = int(header) if header and header.isdigit() else None
    return datetime.fromtimestamp(reset, tz=UTC) if reset is not None else None


def _detail(exc: tweepy.HTTPException) -> str:
    if exc.api_messages:
        return "; ".join(str(m) for m in exc.api_messages)
    try:
        body = exc.response.json()
    except ValueError:
        return (exc.response.text or str(exc))[:300]
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])
    return str(exc)


def gone_reason(error: Mapping[str, Any]) -> str | None:
    """What a v2 resource error says of its tweet or user: "suspended" (a "User has been suspended" item),
    "deleted" (resource-not-found), "protected" (not-authorized-for-resource); None for any other error."""
    kind, detail = str(error.get("type", "")), str(error.get("detail", "")).lower()
    if "suspended" in detail:
        return "suspended"
    if kind.endswith("/resource-not-found"):
        return "deleted"
    if kind.endswith("/not-authorized-for-resource"):
        return "protected"
    return None


def rejected_from_errors(endpoint: str, errors: Iterable[Mapping[str, Any]]) -> TwitterRejected:
    """HTTP 200 with only errors[] (e.g. an unknown user id): a 404-like rejection; a tweet or user that is
    deleted, suspended or protected is `ResourceGone` (a TwitterRejected) naming it."""
    errors = list(errors)
    for e in errors:
        reason = gone_reason(e)
        if reason and e.get("resource_type") in ("tweet", "user") and e.get("resource_id"):
            return ResourceGone(404 if reason != "protected" else 403, str(e.get("detail") or reason),
                                resource_type=str(e["resource_type"]), resource_id=str(e["resource_id"]),
                                reason=reason)
    not_found = any(str(e.get("type", "")).endswith("resource-not-found") for e in errors)
    detail = "; ".join(str(e.get("detail") or e.get("message") or e) for e in errors)
    return TwitterRejected(404 if not_found else 400, detail or f"{endpoint}: no data")


def make_gateway(bearer_token: str, *, base_url: str | None = None, timeout: float = 10.0,
                 user_auth: OAuth1Credentials | Mapping[str, str] | None = None) -> TweepyGateway:
    """Build the gateway. `bearer_token` authenticates reads (and me/post when it is an OAuth 2.0
    user-context token); `user_auth` (OAuth 1.0a keys) is used for me() and post() when given.
    `base_url` (e.g. "http://127.0.0.1:8123") replaces https://api.twitter.com."""
    creds = OAuth1Credentials(**user_auth) if isinstance(user_auth, Mapping) else user_auth
    client = tweepy.Client(
        bearer_token=bearer_token,
        consumer_key=creds.consumer_key if creds else None,
        consumer_secret=creds.consumer_secret if creds else None,
        access_token=creds.access_token if creds else None,
        access_token_secret=creds.access_token_secret if creds else None,
        wait_on_rate_limit=False,
    )
    client.session.mount(API_HOST + "/", _Transport(base_url, timeout))
    return TweepyGateway(client, user_context_oauth1=creds is not None)
