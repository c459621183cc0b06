"""The fake's responses against the official X API v2 OpenAPI document (v2.167) and against the
real recordings: same shapes, same field names, same parameter ranges.

Two documented adjustments: v2.167 renames a few live fields (``edit_history_tweet_ids`` ->
``edit_history_post_ids``, ``referenced_tweets`` -> ``referenced_posts``, ``includes.tweets`` ->
``includes.posts``, ``tweet_count`` -> ``post_count``, ``retweet_count`` -> ``repost_count``);
the live API, tweepy and the recordings use the old names, so the fake does too and the test
renames before validating. And the ``about:blank`` bodies (401/403/429/503) are RFC 7807 problems
that the document's typed ``Problem`` union does not list: they are checked against the fields
all its variants share.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from activecare.twitter.gateway import EXPANSIONS, TWEET_FIELDS, USER_FIELDS
from tests.integration.conftest_twitter import (
    CASSETTES,
    CUSTOMER,
    HELP,
    REFERENCE,
    USER_TOKEN,
    FakeX,
    load,
    running_fake,
)

OPENAPI = REFERENCE / "x-api-v2-openapi.json"
DOC_URI = "urn:x-api-v2-openapi"
pytestmark = pytest.mark.skipif(not OPENAPI.is_file(), reason=f"OpenAPI document not found at {OPENAPI}")
LIVE_TO_DOC = {"edit_history_tweet_ids": "edit_history_post_ids", "referenced_tweets": "referenced_posts",
               "tweet_count": "post_count", "retweet_count": "repost_count"}
STRICT = ("Post", "User", "CreatePostsResponseData")  # unknown field names fail validation
SHAPE = {"tweet.fields": ",".join(TWEET_FIELDS), "expansions": ",".join(EXPANSIONS),
         "user.fields": ",".join(USER_FIELDS)}


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` -> JSON Schema's null type."""
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable(v) for k, v in node.items()}
    if node.pop("nullable", False):
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@cache
def _document() -> dict[str, Any]:
    doc = _nullable(json.loads(OPENAPI.read_text(encoding="utf-8")))
    schemas = doc["components"]["schemas"]
    for name in STRICT:
        schemas[name]["additionalProperties"] = False
    for name in ("SearchPostsRecentResponse", "GetUsersMentionsResponse", "GetUsersPostsResponse"):
        schemas[name]["properties"]["meta"]["additionalProperties"] = False
    variants = [schemas[ref["$ref"].rsplit("/", 1)[1]] for ref in schemas["Problem"]["oneOf"]]
    shared = set.intersection(*(set(v["properties"]) for v in variants))
    schemas["AboutBlankProblem"] = {  # what every typed problem has, with a free-form `type`
        "type": "object",
        "required": sorted(set.intersection(*(set(v["required"]) for v in variants))),
        "properties": {**{k: variants[0]["properties"][k] for k in shared if k != "type"},
                       "type": {"type": "string", "format": "uri"}},
    }
    return doc


def validator(schema_name: str) -> Draft202012Validator:
    registry = Registry().with_resource(DOC_URI, Resource(contents=_document(), specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{DOC_URI}#/components/schemas/{schema_name}"}, registry=registry,
                                format_checker=FormatChecker())


def to_doc_names(node: Any, parent: str = "") -> Any:
    """Rename the live API's field names to the document's."""
    if isinstance(node, list):
        return [to_doc_names(n, parent) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        new = "posts" if (parent == "includes" and key == "tweets") else LIVE_TO_DOC.get(key, key)
        out[new] = to_doc_names(value, key)
    return out


def assert_valid(schema_name: str, body: Any) -> None:
    errors = sorted(validator(schema_name).iter_errors(to_doc_names(body)), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.fixture(scope="module")
def fx() -> Iterator[FakeX]:
    with running_fake() as fake:
        question = fake.tweet(f"@{HELP.username} 圏外が続いてます #障害 https://example.jp/status",
                              ago=timedelta(minutes=30))
        for i in range(25):
            fake.tweet(f"@{HELP.username} また圏外 {i}", ago=timedelta(minutes=20 - i / 2))
        fake.tweet("@hanako ご不便をおかけしております", author=HELP.user_id,
                   in_reply_to_user_id=CUSTOMER["id"],
                   referenced_tweets=[{"type": "replied_to", "id": question["id"]}])
        yield fake


def test_search_page_matches_the_document(fx: FakeX) -> None:
    resp = fx.get("/2/tweets/search/recent", query="圏外", max_results=10, **SHAPE)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json; charset=utf-8"
    body = resp.json()
    assert set(body) == {"data", "includes", "meta"} and "next_token" in body["meta"]
    assert_valid("SearchPostsRecentResponse", body)
    always = set(TWEET_FIELDS) - {"in_reply_to_user_id", "referenced_tweets"}
    assert all(always <= set(t) for t in body["data"])
    params = {**SHAPE, "post.fields": "public_metrics", "expansions": "author_id,referenced_tweets.id"}
    reply = fx.get("/2/tweets/search/recent", query=f"from:{HELP.username} is:reply", **params).json()
    assert reply["meta"]["result_count"] == 1 and "tweets" in reply["includes"]
    assert_valid("SearchPostsRecentResponse", reply)
    assert_valid("SearchPostsRecentResponse", fx.get("/2/tweets/search/recent", query="nothing").json())


def test_mentions_and_user_tweets_match_the_document(fx: FakeX) -> None:
    mentions = fx.get(f"/2/users/{HELP.user_id}/mentions", max_results=100, **SHAPE).json()
    assert mentions["meta"]["result_count"] == 26
    assert_valid("GetUsersMentionsResponse", mentions)
    timeline = fx.get(f"/2/users/{HELP.user_id}/tweets", **SHAPE).json()
    assert timeline["data"][0]["referenced_tweets"][0]["type"] == "replied_to"
    assert_valid("GetUsersPostsResponse", timeline)
    unknown = fx.get("/2/users/42/tweets").json()
    assert set(unknown) == {"errors"}
    assert_valid("GetUsersPostsResponse", unknown)


def test_me_and_post_match_the_document(fx: FakeX) -> None:
    me = fx.get("/2/users/me", token=USER_TOKEN, **{"user.fields": "created_at,public_metrics,description"})
    assert_valid("GetUsersMeResponse", me.json())
    created = fx.post("/2/tweets", {"text": "スキーマ確認の投稿です"})
    assert created.status_code == 201
    assert_valid("CreatePostsResponse", created.json())


def test_errors_match_the_document(fx: FakeX) -> None:
    too_long = fx.get("/2/tweets/search/recent", query="圏外 " * 200)
    assert too_long.status_code == 400
    assert too_long.headers["content-type"].startswith("application/problem+json")
    assert_valid("Problem", too_long.json())
    assert too_long.json()["type"] == "https://api.x.com/2/problems/invalid-request"
    bad_range = fx.get(f"/2/users/{HELP.user_id}/mentions", max_results=500)
    assert_valid("Problem", bad_range.json())
    fx.state.faults.inject("search", "429")
    limited = fx.get("/2/tweets/search/recent", query="圏外")
    assert limited.status_code == 429
    assert_valid("AboutBlankProblem", limited.json())
    duplicate = fx.post("/2/tweets", {"text": "重複チェック"}), fx.post("/2/tweets", {"text": "重複チェック"})
    assert duplicate[1].status_code == 403
    assert_valid("AboutBlankProblem", duplicate[1].json())
    assert_valid("AboutBlankProblem", fx.get("/2/users/me", token=None).json())
    fx.state.faults.inject("me", "5xx")
    unavailable = fx.get("/2/users/me", token=USER_TOKEN)
    assert unavailable.status_code == 503
    assert_valid("AboutBlankProblem", unavailable.json())


@pytest.mark.parametrize(("path", "name"), [("/2/tweets/search/recent", "query"),
                                            ("/2/users/{id}/mentions", ""), ("/2/users/{id}/tweets", "")])
def test_max_results_range_is_the_documents(fx: FakeX, path: str, name: str) -> None:
    params = {p["name"]: p["schema"] for p in _document()["paths"][path]["get"]["parameters"] if "name" in p}
    lo, hi = params["max_results"]["minimum"], params["max_results"]["maximum"]
    url = path.replace("{id}", HELP.user_id)
    extra = {"query": "圏外"} if name else {}
    statuses = [fx.get(url, max_results=n, **extra).status_code for n in (lo - 1, lo, hi, hi + 1)]
    assert statuses == [400, 200, 200, 400]


def test_query_max_length_is_the_documents_enterprise_limit() -> None:
    limit = next(p for p in _document()["paths"]["/2/tweets/search/recent"]["get"]["parameters"]
                 if p.get("name") == "query")["schema"]["maxLength"]
    with running_fake(tier="enterprise") as fake:
        query = "圏外 " + "x" * (limit - 3)
        assert fake.get("/2/tweets/search/recent", query=query).status_code == 200
        assert fake.get("/2/tweets/search/recent", query=query + "x").status_code == 400


RECORDED = [
    ("test_client_search_recent_tweets", "GET", "/2/tweets/search/recent", "/2/tweets/search/recent",
     {"query": "圏外"}),
    ("test_client_get_users_mentions", "GET", "/2/users/783214/mentions",
     f"/2/users/{HELP.user_id}/mentions", {}),
    ("test_client_get_users_tweets", "GET", "/2/users/783214/tweets", f"/2/users/{CUSTOMER['id']}/tweets",
     {"max_results": 5}),
    ("test_client_get_me", "GET", "/2/users/me", "/2/users/me", {}),
]


@pytest.mark.skipif(not CASSETTES.is_dir(), reason=f"reference recordings not found at {CASSETTES}")
@pytest.mark.parametrize(("cassette", "method", "recorded_path", "fake_path", "params"), RECORDED)
def test_field_names_match_the_recordings(fx: FakeX, cassette: str, method: str, recorded_path: str,
                                          fake_path: str, params: dict[str, Any]) -> None:
    recorded = load(cassette)[(method, recorded_path)]
    real = recorded.json()
    resp = fx.get(fake_path, token=USER_TOKEN, **params)
    fake = resp.json()
    assert set(fake) == set(real)
    if isinstance(real["data"], list):
        assert {k for t in fake["data"] for k in t} == {k for t in real["data"] for k in t}
        assert set(fake["meta"]) == set(real["meta"])
    else:
        assert set(fake["data"]) == set(real["data"])
    assert {h for h in recorded.headers if h.startswith("x-rate-limit")} <= {h.lower() for h in resp.headers}
    assert resp.headers["content-type"] == recorded.headers["content-type"]


@pytest.mark.skipif(not CASSETTES.is_dir(), reason=f"reference recordings not found at {CASSETTES}")
def test_create_tweet_fields_match_the_recording(fx: FakeX) -> None:
    real = load("test_client_create_and_delete_tweet")[("POST", "/2/tweets")]
    resp = fx.post("/2/tweets", {"text": "Test Tweet"})
    assert resp.status_code == real.status == 201
    assert set(real.json()["data"]) <= set(resp.json()["data"])  # + edit_history_tweet_ids since 2022
    assert resp.json()["data"]["edit_history_tweet_ids"] == [resp.json()["data"]["id"]]
    assert requests.get(fx.base_url + "/_fake/stats", timeout=5).json()["posted"] >= 1


def test_the_validator_is_strict_about_names_and_types() -> None:
    with pytest.raises(AssertionError, match="bogus"):
        assert_valid("SearchPostsRecentResponse", {"data": [{"id": "1", "text": "x", "bogus": 1}]})
    with pytest.raises(AssertionError, match="result_count"):
        assert_valid("SearchPostsRecentResponse", {"meta": {"result_count": "0"}})
    with pytest.raises(AssertionError, match="date-time"):
        assert_valid("SearchPostsRecentResponse",
                     {"data": [{"id": "1", "text": "x", "created_at": "yesterday"}]})
    with pytest.raises(AssertionError):
        assert_valid("Problem", {"title": "Too Many Requests", "type": "about:blank", "detail": "x"})
