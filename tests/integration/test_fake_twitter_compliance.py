"""The fake X's compliance side over real HTTP, through tweepy and the sweep's adapter: lookups by id answer deleted,
suspended and protected content with the document's resource errors, batch compliance jobs go created ->
in_progress -> complete with their upload and download on signed loopback URLs, and the tiers without jobs refuse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from activecare.compliance.x import TweepyComplianceX
from activecare.twitter.gateway import make_gateway
from activecare.twitter.port import ResourceGone, TwitterRejected
from tests.integration.conftest_twitter import APP_TOKEN, CUSTOMER, FakeX, running_fake
from tests.integration.test_fake_twitter_schema import OPENAPI, assert_valid

pytestmark = pytest.mark.skipif(not OPENAPI.is_file(), reason=f"OpenAPI document not found at {OPENAPI}")
GONE_USER = {"id": "1300000000000000077", "username": "kieta", "name": "消えた人"}
LOCKED_USER = {"id": "1300000000000000088", "username": "kagi", "name": "鍵垢"}


@pytest.fixture(scope="module")
def fx() -> Iterator[tuple[FakeX, dict[str, str]]]:
    with running_fake() as fake:
        fake.state.add_users([GONE_USER, LOCKED_USER])
        ids = {"live": fake.tweet("また圏外です")["id"], "deleted": fake.tweet("電波が悪い、消そう")["id"],
               "suspended": fake.tweet("ワイファイ繋がらない", author=GONE_USER["id"])["id"],
               "protected": fake.tweet("料金高い", author=LOCKED_USER["id"])["id"]}
        assert fake.state.compliance.delete_tweet(ids["deleted"])
        fake.state.compliance.set_user(GONE_USER["id"], "suspended")
        fake.state.compliance.set_user(LOCKED_USER["id"], "protected")
        yield fake, ids


def test_lookups_name_each_gone_id_with_the_documents_errors(fx: tuple[FakeX, dict[str, str]]) -> None:
    fake, ids = fx
    body = fake.get("/2/tweets", ids=",".join(ids.values())).json()
    assert_valid("GetPostsByIdsResponse", body)
    assert [t["id"] for t in body["data"]] == [ids["live"]]
    titles = {e["resource_id"]: e["title"] for e in body["errors"]}
    assert titles == {ids["deleted"]: "Not Found Error", ids["suspended"]: "Not Found Error",
                      ids["protected"]: "Authorization Error"}
    users = fake.get("/2/users", ids=",".join([CUSTOMER["id"], GONE_USER["id"], LOCKED_USER["id"]]),
                     **{"user.fields": "protected"}).json()
    assert_valid("GetUsersByIdsResponse", users)
    assert {u["id"]: u["protected"] for u in users["data"]} == {CUSTOMER["id"]: False, LOCKED_USER["id"]: True}
    assert users["errors"][0]["detail"] == f"User has been suspended: [{GONE_USER['id']}]."
    assert fake.get("/2/tweets", ids=",".join(["1"] * 101)).status_code == 400  # 100 ids a request at most

    x = TweepyComplianceX(make_gateway(APP_TOKEN, base_url=fake.base_url))
    tweets = x.tweets(list(ids.values()))
    assert {v.id: v.reason for v in tweets.gone} == {ids["deleted"]: "deleted", ids["suspended"]: "deleted",
                                                     ids["protected"]: "protected"}
    assert tweets.live == 1
    found = x.users([CUSTOMER["id"], GONE_USER["id"], LOCKED_USER["id"]])
    assert {v.id: v.reason for v in found.gone} == {GONE_USER["id"]: "suspended", LOCKED_USER["id"]: "protected"}
    assert found.live == 1


def test_a_timeline_read_of_a_gone_author_is_resource_gone(fx: tuple[FakeX, dict[str, str]]) -> None:
    fake, _ = fx
    gateway = make_gateway(APP_TOKEN, base_url=fake.base_url)
    with pytest.raises(ResourceGone) as suspended:
        gateway.user_tweets(GONE_USER["id"])
    assert suspended.value.reason == "suspended" and suspended.value.resource_id == GONE_USER["id"]
    with pytest.raises(ResourceGone) as locked:
        gateway.user_tweets(LOCKED_USER["id"])
    assert locked.value.reason == "protected" and locked.value.status == 403
    assert not [t for t in gateway.search_recent("料金 OR ワイファイ").tweets]  # search hides both accounts


def test_a_compliance_job_runs_its_course_over_loopback_http(fx: tuple[FakeX, dict[str, str]]) -> None:
    fake, ids = fx
    x = TweepyComplianceX(make_gateway(APP_TOKEN, base_url=fake.base_url))
    created = fake.post("/2/compliance/jobs", {"type": "tweets", "name": "schema-check"}, token=APP_TOKEN).json()
    assert_valid("CreateComplianceJobsResponse", created)
    job = x.create("tweets", "activecare-20261125T1000-tweets")
    assert job.status == "created" and job.upload_url.startswith(fake.base_url)
    assert requests.get(job.download_url, timeout=5).status_code == 404  # nothing to download yet
    assert requests.put(job.upload_url.replace("signature=", "signature=x"), data=b"1\n",
                        timeout=5).status_code == 403  # a forged signature
    x.upload(job, list(ids.values()))
    assert x.get(job.id).status == "in_progress"
    with pytest.raises(TwitterRejected):
        x.upload(job, ["1"])  # once uploaded, the URL takes nothing more
    fake.clock.advance(timedelta(minutes=3))
    assert x.get(job.id).status == "complete"
    assert x.find("tweets", "activecare-20261125T1000-tweets") == x.get(job.id)
    listed = fake.get("/2/compliance/jobs", type="tweets").json()
    assert_valid("GetComplianceJobsResponse", listed)
    assert {v.id: v.reason for v in x.download(x.get(job.id))} == {
        ids["deleted"]: "deleted", ids["suspended"]: "suspended", ids["protected"]: "protected"}


def test_tiers_without_batch_compliance_refuse_jobs() -> None:
    with running_fake(tier="basic") as fake:
        resp = fake.post("/2/compliance/jobs", {"type": "users"}, token=APP_TOKEN)
        assert resp.status_code == 403 and resp.json()["type"].endswith("client-forbidden")


def test_another_process_deletes_and_suspends_through_the_admin_routes() -> None:
    with running_fake() as fake:
        posted = fake.tweet("圏外です")
        assert requests.post(f"{fake.base_url}/_fake/delete_tweet", json={"id": posted["id"]},
                             timeout=5).json() == {"deleted": True}
        assert requests.post(f"{fake.base_url}/_fake/delete_tweet", json={"id": posted["id"]},
                             timeout=5).json() == {"deleted": False}  # gone already
        assert fake.get("/2/tweets", ids=posted["id"]).json()["errors"][0]["title"] == "Not Found Error"
        resp = requests.post(f"{fake.base_url}/_fake/user_state", json={"id": CUSTOMER["id"], "state": "suspended"},
                             timeout=5)
        assert resp.json() == {"id": CUSTOMER["id"], "state": "suspended"}
        assert requests.post(f"{fake.base_url}/_fake/user_state", json={"id": CUSTOMER["id"], "state": "gone"},
                             timeout=5).status_code == 400
        assert requests.post(f"{fake.base_url}/_fake/user_state", json={"id": "42", "state": "protected"},
                             timeout=5).status_code == 404
