"""The v2 endpoints of the fake: parameter checks, selection, pagination and response bodies.

Each handler takes the state and a parsed `ApiRequest` and returns (status, JSON body) or
raises ApiError. Rate limits, auth and faults are applied around them by the server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from activecare.clock import iso_z, parse_iso
from activecare.twitter.snowflake import snowflake_time
from infra.fake_twitter.problems import (
    ApiError,
    invalid_request,
    unsupported_authentication,
    user_not_found,
)
from infra.fake_twitter.query import QueryError, compile_query, evaluate
from infra.fake_twitter.state import JSON, FakeTwitterState

RECENT_WINDOW = timedelta(days=7)
END_TIME_MIN_AGE = timedelta(seconds=10)
MENTIONS_CAP = 800
TIMELINE_CAP = 3200
_ID_RE = re.compile(r"^[0-9]{1,19}$")
_RFC3339_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")

# Field names the live API accepts (tweet.*) and the v2.167 document's renamed ones (post.*).
TWEET_FIELDS = frozenset({
    "article", "article_title", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
    "conversation_id", "created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids",
    "edit_history_post_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang", "matched_media_notes",
    "media_metadata", "non_public_metrics", "note_post", "note_tweet", "note_request_suggestions",
    "organic_metrics", "paid_partnership", "possibly_sensitive", "promoted_metrics", "public_metrics",
    "referenced_tweets", "referenced_posts", "reply_settings", "scopes", "source", "suggested_source_links",
    "suggested_source_links_with_counts", "text", "withheld",
})
FIELD_ALIASES = {"referenced_posts": "referenced_tweets", "edit_history_post_ids": "edit_history_tweet_ids",
                 "most_recent_post_id": "most_recent_tweet_id", "pinned_post_id": "pinned_tweet_id"}
USER_FIELDS = frozenset({
    "affiliation", "confirmed_email", "connection_status", "created_at", "description", "entities", "id",
    "is_identity_verified", "location", "most_recent_tweet_id", "most_recent_post_id", "name", "parody",
    "pinned_tweet_id", "pinned_post_id", "profile_banner_url", "profile_image_url", "protected",
    "public_metrics", "receives_your_dm", "subscribes_to_you", "subscription", "subscription_type", "url",
    "username", "verified", "verified_followers_count", "verified_type", "withheld",
})
TWEET_EXPANSIONS = frozenset({
    "article.cover_media", "article.media_entities", "attachments.media_keys",
    "attachments.media_source_tweet", "attachments.poll_ids", "author_id", "edit_history_tweet_ids",
    "edit_history_post_ids",
    "entities.mentions.username", "geo.place_id", "in_reply_to_user_id", "referenced_tweets.id",
    "referenced_tweets.id.author_id", "referenced_posts", "username",
})
USER_EXPANSIONS = frozenset({"pinned_tweet_id", "most_recent_tweet_id", "affiliation.user_id"})
_SHAPE_PARAMS = ("expansions", "tweet.fields", "post.fields", "user.fields", "media.fields", "place.fields",
                 "poll.fields")
SEARCH_PARAMS = frozenset({"query", "since_id", "until_id", "start_time", "end_time", "max_results",
                           "next_token", "pagination_token", "sort_order", *_SHAPE_PARAMS})
TIMELINE_PARAMS = frozenset({"since_id", "until_id", "start_time", "end_time", "max_results",
                             "pagination_token", *_SHAPE_PARAMS})
POST_BODY_KEYS = frozenset({"card_uri", "community_id", "direct_message_deep_link", "edit_options",
                            "for_super_followers_only", "geo", "made_with_ai", "media", "nullcast",
                            "paid_partnership", "poll", "quote_tweet_id", "reply", "reply_settings",
                            "share_with_followers", "text"})


@dataclass
class ApiRequest:
    """A parsed request: query parameters (one value each), body, and who is calling."""

    params: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    user_id: str | None = None  # None = app-only bearer token
    path_id: str = ""


# --- parameter helpers -------------------------------------------------------------------


def _check_known(params: dict[str, str], allowed: Iterable[str]) -> None:
    allowed = sorted(allowed)
    for name in params:
        if name not in allowed:
            raise invalid_request(f"The query parameter [{name}] is not one of [{','.join(allowed)}]",
                                  {name: [params[name]]})


def _int(params: dict[str, str], name: str, lo: int, hi: int, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"-?\d+", raw) or not lo <= int(raw) <= hi:
        raise invalid_request(f"The `{name}` query parameter value [{raw}] is not between {lo} and {hi}",
                              {name: [raw]})
    return int(raw)


def _id(params: dict[str, str], name: str) -> str | None:
    raw = params.get(name)
    if raw is not None and not _ID_RE.match(raw):
        raise invalid_request(f"The `{name}` query parameter value [{raw}] does not match ^[0-9]{{1,19}}$",
                              {name: [raw]})
    return raw


def _time(params: dict[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None:
        return None
    value = None
    if _RFC3339_RE.match(raw):
        try:
            value = parse_iso(raw)
        except ValueError:
            value = None
    if value is None:
        raise invalid_request(f"The `{name}` query parameter value [{raw}] is not a valid RFC 3339 date-time",
                              {name: [raw]})
    return value


def _list(params: dict[str, str], name: str, allowed: frozenset[str]) -> set[str]:
    raw = params.get(name)
    if raw is None:
        return set()
    values = [v for v in raw.split(",") if v]
    for v in values:
        if v not in allowed:
            raise invalid_request(f"The `{name}` query parameter value [{v}] is not one of "
                                  f"[{','.join(sorted(allowed))}]", {name: [raw]})
    return {FIELD_ALIASES.get(v, v) for v in values}


@dataclass(frozen=True)
class Shape:
    """Which fields and expansions the caller asked for."""

    tweet_fields: set[str]
    user_fields: set[str]
    expansions: set[str]

    @classmethod
    def parse(cls, params: dict[str, str], expansions: frozenset[str] = TWEET_EXPANSIONS) -> Shape:
        fields = _list(params, "tweet.fields", TWEET_FIELDS) | _list(params, "post.fields", TWEET_FIELDS)
        return cls(fields, _list(params, "user.fields", USER_FIELDS), _list(params, "expansions", expansions))


# --- bodies --------------------------------------------------------------------------------


def _includes(state: FakeTwitterState, tweet_ids: list[str], shape: Shape) -> JSON:
    users: dict[str, JSON] = {}
    tweets: dict[str, JSON] = {}

    def add_user(uid: str | None) -> None:
        if uid and uid not in users and (u := state.render_user(uid, shape.user_fields)) is not None:
            users[uid] = u

    exp = shape.expansions
    for tid in tweet_ids:
        t = state.tweet(tid) or {}
        if "author_id" in exp:
            add_user(t["author_id"])
        if "in_reply_to_user_id" in exp:
            add_user(t.get("in_reply_to_user_id"))
        if "entities.mentions.username" in exp:
            for m in (t.get("entities") or {}).get("mentions") or []:
                add_user(m.get("id") or (state.user_by_username(m["username"]) or {}).get("id"))
        if exp & {"referenced_tweets.id", "referenced_posts", "referenced_tweets.id.author_id"}:
            for ref in t.get("referenced_tweets") or []:
                if ref["id"] not in tweets and state.is_visible(ref["id"]):
                    tweets[ref["id"]] = state.render_tweet(ref["id"], shape.tweet_fields)
                    if "referenced_tweets.id.author_id" in exp:
                        add_user((state.tweet(ref["id"]) or {}).get("author_id"))
    out: JSON = {}
    if users:
        out["users"] = list(users.values())
    if tweets:
        out["tweets"] = list(tweets.values())
    return out


def page_body(state: FakeTwitterState, page: list[str], next_token: str | None, shape: Shape) -> JSON:
    """{"data", "includes", "meta"} as the API sends a page; only meta.result_count when empty. A post deleted
    since the page's snapshot was taken is left out, as X leaves it out."""
    page = [tid for tid in page if state.tweet(tid) is not None]
    if not page:
        return {"meta": {"result_count": 0}}
    body: JSON = {"data": [state.render_tweet(tid, shape.tweet_fields) for tid in page]}
    if includes := _includes(state, page, shape):
        body["includes"] = includes
    meta: JSON = {"newest_id": page[0], "oldest_id": page[-1], "result_count": len(page)}
    if next_token:
        meta["next_token"] = next_token
    body["meta"] = meta
    return body


def _paged(state: FakeTwitterState, key: tuple[Any, ...], select: Callable[[], list[str]],
           token_name: str, params: dict[str, str], max_results: int, shape: Shape) -> JSON:
    token = params.get(token_name)
    result = state.snapshot_page(key, None if token else select(), token, max_results)
    if result is None:
        raise invalid_request(f"The `{token_name}` query parameter value [{token}] is not valid for this "
                              "request", {token_name: [token or ""]})
    return page_body(state, result[0], result[1], shape)


def _in_time(created: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or created >= start) and (end is None or created < end)


# --- endpoints -------------------------------------------------------------------------------


def search_recent(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/tweets/search/recent: the last 7 days, newest first, never retweets."""
    p = req.params
    _check_known(p, SEARCH_PARAMS)
    query = p.get("query")
    if not query:
        raise invalid_request("The `query` query parameter can not be empty", {"query": [query or ""]})
    limit = state.query_max_length
    if len(query) > limit:
        raise invalid_request(f"There were errors processing your request: Query length {len(query)} exceeds "
                              f"the {limit} characters allowed for your access level ({state.tier})",
                              {"query": [query]})
    try:
        node = compile_query(query)
    except QueryError as exc:
        raise invalid_request(str(exc), {"query": [query]}) from exc
    if p.get("sort_order") not in (None, "recency", "relevancy"):
        raise invalid_request(f"The `sort_order` query parameter value [{p['sort_order']}] is not one of "
                              "[recency,relevancy]", {"sort_order": [p["sort_order"]]})
    max_results = _int(p, "max_results", 10, 100, 10)
    since_id, until_id = _id(p, "since_id"), _id(p, "until_id")
    start, end = _time(p, "start_time"), _time(p, "end_time")
    shape = Shape.parse(p)
    now = state.now()
    floor = now - RECENT_WINDOW
    for name, value in (("since_id", since_id), ("until_id", until_id)):
        if value is not None and snowflake_time(value) < floor:
            raise invalid_request(f"Invalid '{name}':'{value}'. '{name}' must be a tweet id created after "
                                  f"{iso_z(floor)}. Please make sure the tweet id is in the last 7 days.",
                                  {name: [value]})
    if start is not None and start < floor:
        raise invalid_request(f"Invalid 'start_time':'{p['start_time']}'. 'start_time' must be on or after "
                              f"{iso_z(floor)}", {"start_time": [p["start_time"]]})
    if end is not None and end > now - END_TIME_MIN_AGE:
        raise invalid_request(f"Invalid 'end_time':'{p['end_time']}'. 'end_time' must be a minimum of 10 "
                              "seconds prior to the request time.", {"end_time": [p["end_time"]]})
    if start is not None and end is not None and start >= end:
        raise invalid_request(f"Invalid 'start_time':'{p['start_time']}'. 'start_time' must be before "
                              f"'end_time':'{p['end_time']}'", {"start_time": [p["start_time"]]})
    if "pagination_token" in p and "next_token" not in p:
        p = {**p, "next_token": p["pagination_token"]}

    def select() -> list[str]:
        out = []
        lower, upper = max(floor, start or floor), min(now, end or now)
        for tid in state.iter_ids(since_id=since_id, until_id=until_id, created_from=lower, created_to=upper):
            created = state.created_at(tid)
            if created > now or created < floor or not _in_time(created, start, end):
                continue
            doc = state.doc(tid)
            if not doc.is_retweet and evaluate(node, doc) and state.compliance.readable(tid):
                out.append(tid)
        return out

    with state.lock:
        key = ("search", query, since_id, until_id, start, end)
        return 200, _paged(state, key, select, "next_token", p, max_results, shape)


def _timeline(state: FakeTwitterState, req: ApiRequest, kind: str) -> tuple[int, JSON]:
    p = req.params
    allowed = TIMELINE_PARAMS | ({"exclude"} if kind == "author" else set())
    _check_known(p, allowed)
    max_results = _int(p, "max_results", 5, 100, 10)
    since_id, until_id = _id(p, "since_id"), _id(p, "until_id")
    start, end = _time(p, "start_time"), _time(p, "end_time")
    exclude = _list(p, "exclude", frozenset({"replies", "retweets"}))
    shape = Shape.parse(p)
    user = state.user(req.path_id)
    if user is None:
        return 200, {"errors": [user_not_found(req.path_id)]}
    if (gone := state.compliance.timeline_error(user["id"], req.user_id)) is not None:
        return 200, {"errors": [gone]}  # suspended, deactivated, or protected from this caller
    now = state.now()
    cap = TIMELINE_CAP if kind == "author" else MENTIONS_CAP
    key_value = user["id"] if kind == "author" else user["username"]

    def select() -> list[str]:
        out: list[str] = []
        for tid in state.iter_ids(source=kind, key=key_value, since_id=since_id, until_id=until_id,
                                  created_to=now):
            created = state.created_at(tid)
            if created > now:
                continue
            if len(out) >= cap:
                break
            doc = state.doc(tid)
            if ("retweets" in exclude and doc.is_retweet) or ("replies" in exclude and doc.is_reply):
                continue
            if kind == "mention" and not state.compliance.readable(tid):
                continue
            if _in_time(created, start, end):
                out.append(tid)
        return out

    with state.lock:
        key = (kind, req.path_id, since_id, until_id, start, end, frozenset(exclude))
        return 200, _paged(state, key, select, "pagination_token", p, max_results, shape)


def users_mentions(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/users/:id/mentions: posts that mention @username (the 800 most recent)."""
    return _timeline(state, req, "mention")


def users_tweets(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/users/:id/tweets: the author's posts (the 3,200 most recent), `exclude` honoured."""
    return _timeline(state, req, "author")


def users_me(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/users/me: the user behind the user-context token."""
    _check_known(req.params, {"expansions", "tweet.fields", "post.fields", "user.fields"})
    if req.user_id is None:
        raise unsupported_authentication()
    shape = Shape.parse(req.params, USER_EXPANSIONS)
    user = state.render_user(req.user_id, shape.user_fields)
    if user is None:
        raise ApiError(401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                             "detail": "Unauthorized"})
    return 200, {"data": user}


def create_tweet(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """POST /2/tweets: {text, reply: {in_reply_to_tweet_id}, quote_tweet_id}."""
    if req.user_id is None:
        raise unsupported_authentication()
    try:
        body = json.loads(req.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid_request(f"The request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise invalid_request("$: expected a JSON object")
    for key in body:
        if key not in POST_BODY_KEYS:
            raise invalid_request(f"$.{key}: is not defined in the schema and the schema does not allow "
                                  "additional properties")
    text = body.get("text", "")
    if not isinstance(text, str):
        raise invalid_request("$.text: string expected")
    if not text and not body.get("media") and not body.get("poll"):
        raise invalid_request("$.text: a post needs text unless it has media or a poll")
    reply = body.get("reply")
    reply_to = None
    if reply is not None:
        if not isinstance(reply, dict) or not _ID_RE.match(str(reply.get("in_reply_to_tweet_id", ""))):
            raise invalid_request(
                "$.reply.in_reply_to_tweet_id: does not match the regex pattern ^[0-9]{1,19}$")
        reply_to = str(reply["in_reply_to_tweet_id"])
    quote = body.get("quote_tweet_id")
    if quote is not None and not _ID_RE.match(str(quote)):
        raise invalid_request("$.quote_tweet_id: does not match the regex pattern ^[0-9]{1,19}$")
    tweet = state.create_tweet(req.user_id, text, reply_to=reply_to,
                               quote_of=str(quote) if quote is not None else None)
    return 201, {"data": {"edit_history_tweet_ids": tweet["edit_history_tweet_ids"], "id": tweet["id"],
                          "text": tweet["text"]}}


# --- the campaign: retweeters, followers, direct messages -------------------------------------

USERS_PAGE_PARAMS = frozenset({"max_results", "pagination_token", "expansions", "tweet.fields", "post.fields",
                               "user.fields"})
DM_EVENT_FIELDS = frozenset({"id", "text", "event_type", "created_at", "sender_id", "dm_conversation_id",
                             "participant_ids", "referenced_tweets", "attachments"})
DM_BODY_KEYS = frozenset({"text", "attachments"})


def _tweet_not_found(tweet_id: str) -> JSON:
    return {"value": tweet_id, "detail": f"Could not find tweet with id: [{tweet_id}].", "title": "Not Found Error",
            "resource_type": "tweet", "parameter": "id", "resource_id": tweet_id,
            "type": "https://api.x.com/2/problems/resource-not-found"}


def _render_users(state: FakeTwitterState, ids: list[str], shape: Shape, viewer: str | None) -> list[JSON]:
    out = []
    for uid in ids:
        user = state.render_user(uid, shape.user_fields - {"connection_status"})
        if user is None:
            continue
        if "connection_status" in shape.user_fields and viewer is not None:
            user["connection_status"] = state.social.connection_status(viewer, uid)
        out.append(user)
    return out


def _users_page(state: FakeTwitterState, req: ApiRequest, key: tuple[Any, ...], select: Callable[[], list[str]],
                max_hi: int) -> JSON:
    p = req.params
    _check_known(p, USERS_PAGE_PARAMS)
    max_results = _int(p, "max_results", 1, max_hi, 100)
    shape = Shape.parse(p, USER_EXPANSIONS)
    token = p.get("pagination_token")
    with state.lock:
        result = state.snapshot_page(key, None if token else select(), token, max_results)
        if result is None:
            raise invalid_request(f"The `pagination_token` query parameter value [{token}] is not valid for this "
                                  "request", {"pagination_token": [token or ""]})
        ids, next_token = result
        meta: JSON = {"result_count": len(ids)}
        if next_token:
            meta["next_token"] = next_token
        if not ids:
            return {"meta": meta}
        return {"data": _render_users(state, ids, shape, req.user_id), "meta": meta}


def retweeted_by(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/tweets/:id/retweeted_by: users who retweeted, newest first (max_results 1-100).
    `connection_status` (user.fields) is relative to the user-context caller."""
    tid = req.path_id
    if not _ID_RE.match(tid):
        raise invalid_request(f"The `id` query parameter value [{tid}] does not match ^[0-9]{{1,19}}$", {"id": [tid]})
    if state.tweet(tid) is None or not state.is_visible(tid):
        _check_known(req.params, USERS_PAGE_PARAMS)
        return 200, {"errors": [_tweet_not_found(tid)]}
    return 200, _users_page(state, req, ("retweeted_by", tid, req.user_id),
                            lambda: state.social.retweeters(tid), 100)


def users_followers(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/users/:id/followers: newest first (max_results 1-1000)."""
    uid = req.path_id
    if state.user(uid) is None:
        return 200, {"errors": [user_not_found(uid)]}
    return 200, _users_page(state, req, ("followers", uid, req.user_id), lambda: state.social.follower_ids(uid),
                            1000)


def dm_send(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """POST /2/dm_conversations/with/:participant_id/messages {"text"} (user context only)."""
    if req.user_id is None:
        raise unsupported_authentication()
    participant = req.path_id
    if not _ID_RE.match(participant):
        raise invalid_request("$.participant_id: does not match the regex pattern ^[0-9]{1,19}$")
    try:
        body = json.loads(req.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid_request(f"The request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict) or any(k not in DM_BODY_KEYS for k in body):
        raise invalid_request("$: expected {text, attachments}")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise invalid_request("$.text: a message needs text")
    if participant == req.user_id:
        raise invalid_request("$.participant_id: you cannot send a message to yourself")
    event = state.social.send_dm(req.user_id, participant, text, state.now())
    return 201, {"data": {"dm_conversation_id": event["dm_conversation_id"], "dm_event_id": event["id"]}}


def dm_events(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/dm_conversations/with/:participant_id/dm_events: newest first (user context only)."""
    if req.user_id is None:
        raise unsupported_authentication()
    p = req.params
    _check_known(p, {"max_results", "pagination_token", "event_types", "dm_event.fields", "expansions",
                     "user.fields", "tweet.fields", "post.fields", "media.fields"})
    max_results = _int(p, "max_results", 1, 100, 100)
    fields = _list(p, "dm_event.fields", DM_EVENT_FIELDS)
    participant = req.path_id
    token = p.get("pagination_token")
    with state.lock:
        events = {e["id"]: e for e in state.social.dm_events(req.user_id, participant)}
        result = state.snapshot_page(("dm_events", req.user_id, participant), None if token else list(events),
                                     token, max_results)
        if result is None:
            raise invalid_request(f"The `pagination_token` query parameter value [{token}] is not valid",
                                  {"pagination_token": [token or ""]})
        ids, next_token = result
        every = {e["id"]: e for e in state.social.dms}
        data = [_render_dm(every[eid], fields) for eid in ids]
    meta: JSON = {"result_count": len(data)}
    if next_token:
        meta["next_token"] = next_token
    return 200, ({"data": data, "meta": meta} if data else {"meta": meta})


def dm_events_all(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/dm_events: every DM event of the user-context caller, newest first (user context only)."""
    if req.user_id is None:
        raise unsupported_authentication()
    p = req.params
    _check_known(p, {"max_results", "pagination_token", "event_types", "dm_event.fields", "expansions",
                     "user.fields", "tweet.fields", "post.fields", "media.fields"})
    types = _list(p, "event_types", frozenset({"MessageCreate", "ParticipantsJoin", "ParticipantsLeave"}))
    max_results = _int(p, "max_results", 1, 100, 100)
    fields = _list(p, "dm_event.fields", DM_EVENT_FIELDS)
    token = p.get("pagination_token")
    with state.lock:
        events = [e for e in state.social.all_dm_events(req.user_id) if not types or e["event_type"] in types]
        result = state.snapshot_page(("dm_events_all", req.user_id), None if token else [e["id"] for e in events],
                                     token, max_results)
        if result is None:
            raise invalid_request(f"The `pagination_token` query parameter value [{token}] is not valid",
                                  {"pagination_token": [token or ""]})
        ids, next_token = result
        every = {e["id"]: e for e in state.social.dms}
        data = [_render_dm(every[eid], fields) for eid in ids]
    meta: JSON = {"result_count": len(data)}
    if next_token:
        meta["next_token"] = next_token
    return 200, ({"data": data, "meta": meta} if data else {"meta": meta})


def _render_dm(e: JSON, fields: set[str]) -> JSON:
    item = {"id": e["id"], "event_type": e["event_type"], "text": e["text"]}
    for f in fields & {"created_at", "sender_id", "dm_conversation_id"}:
        item[f] = e[f]
    if "participant_ids" in fields:
        item["participant_ids"] = [e["sender_id"], e["participant_id"]]
    return item


# --- compliance: lookups by id and batch compliance jobs (infra/fake_twitter/compliance.py) -----------


def tweets_lookup(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/tweets?ids=: up to 100 posts; errors for deleted or unreadable ones."""
    return state.compliance.tweets_lookup(req)


def users_lookup(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/users?ids=: up to 100 users; errors for suspended or deactivated ones."""
    return state.compliance.users_lookup(req)


def compliance_create(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """POST /2/compliance/jobs."""
    return state.compliance.create_job(req)


def compliance_get(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/compliance/jobs/:id."""
    return state.compliance.get_job(req)


def compliance_list(state: FakeTwitterState, req: ApiRequest) -> tuple[int, JSON]:
    """GET /2/compliance/jobs?type=."""
    return state.compliance.list_jobs(req)
