"""The compliance sweep on the local stack (moto over real boto3, the fake X over real HTTP with tweepy): in both
modes the stored copies of deleted tweets and of suspended or protected accounts go and nothing else does; a crash
mid-sweep loses nothing and the hourly resume finishes; a read that finds a tweet or author gone erases at once."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from activecare.campaign.dynamo import DynamoCampaignStore
from activecare.campaign.models import Campaign, Entrant, Rules
from activecare.cli import main
from activecare.clock import ManualClock, iso_z, parse_iso
from activecare.listening.dynamo import DynamoInquiryStore
from activecare.listening.ingest import NewInquiry
from activecare.listening.models import MatchInfo
from activecare.storage.models import CampaignRecord, Inquiry, campaign_user_sk
from activecare.twitter.models import Tweet, User
from infra.lambda_runtime import context_for
from infra.local_stack import LocalStack
from tests.integration.spine import customer, drain, poll, tweet

EVENTS = Path(__file__).resolve().parents[2] / "events"
MATCH = MatchInfo(topic="signal", department="network", account="signal", keywords=["圏外"])
TEXTS = ["家の中だとずっと圏外です", "朝から電波が悪い", "駅でも繋がらない", "再起動したら直った"]


class Crash(Exception):
    """The process dies here (a Lambda timeout, an out-of-memory kill)."""


@dataclass
class World:
    deleted_head: str  # an inquiry's own tweet, deleted on X
    deleted_context: str  # a surrounding tweet of another author's inquiry, deleted
    kept: str  # that author's inquiry (stays, without the deleted tweet)
    suspended: str  # a user suspended on X (two inquiries, a campaign entry)
    protected: str  # a user who protected their account
    untouched: list[str]  # inquiries of the other customers
    untouched_author: str  # one of them


def _seed(stack: LocalStack, clock: ManualClock) -> World:
    """Six customers with inquiries (and their surrounding tweets) in the tables and their tweets on the fake X."""
    users = [customer(str(1_400_000_000_000_000_000 + n), f"kokyaku{n}") for n in range(6)]
    stack.twitter.add_users(users)
    heads: list[str] = []
    context: dict[str, list[str]] = {}
    for n, user in enumerate(users):
        for k in range(2 if n == 2 else 1):
            at = clock() - timedelta(hours=5, minutes=10 * n + k)
            before = tweet(at - timedelta(minutes=3), TEXTS[1], user["id"])
            head = tweet(at, TEXTS[0], user["id"])
            stack.twitter.add_tweets([before, head])
            author = User(user["id"], user["username"], user["name"])
            assert DynamoInquiryStore().create(NewInquiry(
                tweet=Tweet(head["id"], head["text"], user["id"], parse_iso(head["created_at"]), head["id"],
                            author=author),
                source="search", direct=False, match=MATCH, sentiment="complaint", pii_kinds=(), history=[],
                context_before=[Tweet(before["id"], before["text"], user["id"], parse_iso(before["created_at"]))],
                context_after=[], context_ok=True, received_at=clock()))
            heads.append(head["id"])
            context[head["id"]] = [before["id"]]
    store = DynamoCampaignStore()
    campaign = Campaign(campaign_id="xmas2026", tweet_id="1900000000000000900", account="general", winners_wanted=1,
                        rules=Rules(require_follow=False), message="@{username} さん おめでとうございます", salt="s",
                        created_at=clock())
    assert store.create(campaign)
    entrants = [Entrant(user_id=u["id"], username=u["username"], follows=True, followers_count=9,
                        created_at=clock()) for u in users[1:4]]
    assert store.save_page("xmas2026", entrants, expect_cursor=None, next_cursor=None, done=True, now=clock())
    world = World(deleted_head=heads[0], deleted_context=context[heads[1]][0], kept=heads[1],
                  suspended=users[2]["id"], protected=users[3]["id"], untouched=heads[5:],
                  untouched_author=users[5]["id"])
    # During the day: a customer deletes their tweet, another the tweet before theirs; X suspends one account
    # and another customer protects theirs.
    assert stack.twitter.compliance.delete_tweet(world.deleted_head)
    assert stack.twitter.compliance.delete_tweet(world.deleted_context)
    stack.twitter.compliance.set_user(world.suspended, "suspended")
    stack.twitter.compliance.set_user(world.protected, "protected")
    clock.advance(timedelta(hours=1))
    return world


def _assert_erased(world: World) -> None:
    stored = {i.inquiry_id: i for i in Inquiry.scan()}
    assert world.deleted_head not in stored
    assert world.kept in stored and [c.id for c in stored[world.kept].context_before] == []
    assert not [i for i in stored.values() if i.author_id in (world.suspended, world.protected)]
    assert all(i in stored for i in world.untouched)
    assert len(stored) == 1 + len(world.untouched)  # nothing else went
    entries = {r.sk for r in CampaignRecord.scan() if r.sk.startswith("e#")}
    assert campaign_user_sk("e", world.suspended) not in entries
    assert campaign_user_sk("e", world.protected) not in entries
    assert len(entries) == 1


def _service(stack: LocalStack, clock: ManualClock, *, crash_on_sleep: bool = False,
             crash_on_check: int | None = None):  # type: ignore[no-untyped-def]
    checks = iter(range(1, 1000))

    def sleep(seconds: float) -> None:
        if crash_on_sleep:
            raise Crash("sleep")
        clock.advance(timedelta(seconds=seconds))

    def time_left() -> float:
        if crash_on_check is not None and next(checks) == crash_on_check:
            raise Crash("check")
        return 600.0

    return stack.runtime.compliance(sleep=sleep, time_left=time_left)


@pytest.mark.parametrize("mode", ["jobs", "lookup"])
def test_the_daily_handler_erases_deleted_suspended_and_protected_content(
        stack: LocalStack, clock: ManualClock, mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    from compliance.app import handler

    world = _seed(stack, clock)
    stack.configure(compliance_mode=mode)
    stack.twitter.compliance.processing = timedelta(0)  # the job is done at the first poll: no wait in the handler
    report = handler({"action": "sweep", "scheduled_time": iso_z(clock())}, context_for("compliance"))
    assert report["complete"] and report["completed_now"] and report["mode"] == mode, report
    _assert_erased(world)
    assert report["erased"]["inquiries"] == 4 and report["erased"]["surrounding tweets"] == 1
    assert report["erased"]["campaign entries"] == 2
    if mode == "lookup":
        assert stack.twitter.stats.by_endpoint["users_lookup"] == 1
        assert stack.twitter.stats.by_endpoint["tweets_lookup"] == 1
        assert report["cost_usd"] == pytest.approx(4 * 0.010 + 6 * 0.005)  # the 4 live users, 6 live tweets
    else:
        assert stack.twitter.compliance.uploads == 2 and stack.twitter.compliance.downloads == 2
    again = handler({"action": "resume"}, context_for("compliance"))
    assert again["action"] == "nothing_to_do" and not again["completed_now"]
    sample = json.loads((EVENTS / "compliance_schedule.json").read_text(encoding="utf-8"))  # as the scheduler sends
    assert handler(sample, context_for("compliance"))["action"] == "nothing_to_do"  # the day's run is done
    with pytest.raises(ValueError, match="action must be one of"):
        handler({"action": "purge"}, context_for("compliance"))
    assert main(["compliance", "status"]) == 0  # the operator's view of the same record
    out = capsys.readouterr().out
    assert f"({mode}): complete" in out and "inquiries 4" in out


def test_a_crash_mid_jobs_sweep_is_finished_by_the_resume_with_the_same_jobs(stack: LocalStack,
                                                                             clock: ManualClock) -> None:
    world = _seed(stack, clock)
    stack.configure(compliance_mode="jobs")
    with pytest.raises(Crash):  # both jobs created and uploaded, then the process dies while X works
        _service(stack, clock, crash_on_sleep=True).sweep()
    assert len(stack.twitter.compliance.jobs) == 2 and stack.twitter.compliance.uploads == 2
    clock.advance(timedelta(hours=1))
    report = _service(stack, clock).sweep(start=False)  # the hourly resume
    assert report.action == "resumed" and report.complete
    _assert_erased(world)
    assert len(stack.twitter.compliance.jobs) == 2 and stack.twitter.compliance.uploads == 2  # nothing redone


def test_a_crash_mid_lookup_sweep_is_finished_by_a_rerun_without_asking_twice(stack: LocalStack,
                                                                              clock: ManualClock) -> None:
    world = _seed(stack, clock)
    stack.configure(compliance_mode="lookup")
    with pytest.raises(Crash):  # the users are checked and erased; the process dies before the tweets
        _service(stack, clock, crash_on_check=2).sweep()
    assert not [i for i in Inquiry.scan() if i.author_id == world.suspended]
    assert stack.twitter.stats.by_endpoint["users_lookup"] == 1
    report = _service(stack, clock).sweep()  # a retry of the daily schedule continues the same run
    assert report.action == "resumed" and report.complete
    _assert_erased(world)
    assert stack.twitter.stats.by_endpoint["users_lookup"] == 1  # the users were not looked up again


def test_reads_that_find_an_author_suspended_or_a_tweet_deleted_erase_at_once(stack: LocalStack,
                                                                              clock: ManualClock) -> None:
    from activecare.errors import AppError

    world = _seed(stack, clock)
    # The desk: the author is suspended between the poll and the agent's first open, which reads their timeline
    # (the worker reads nothing from X): our copy is blanked at once, the sweep deletes the author's records.
    stack.twitter.compliance.set_user(world.suspended, "active")  # back for a moment: they post again
    new = tweet(clock() + timedelta(seconds=5), "また圏外…電波が悪い", world.suspended)
    mention = tweet(clock() + timedelta(seconds=6), "@ac_signal 駅のホームでずっと圏外です", world.untouched_author)
    stack.twitter.add_tweets([new, mention])
    clock.advance(timedelta(minutes=1))
    assert poll(stack)["enqueued"] >= 2  # queued while the account was there
    stack.twitter.compliance.set_user(world.suspended, "suspended")
    assert drain(stack).failed == 0
    with pytest.raises(AppError) as gone:
        stack.runtime.desk().show(new["id"])
    assert gone.value.status == 410 and gone.value.code == "author_gone"
    assert Inquiry.get(new["id"]).text == ""
    stored = {i.inquiry_id: i for i in Inquiry.scan()}
    # The desk: the customer deletes their mention while the agent writes the answer; X refuses the reply.
    iid = mention["id"]
    assert stored[iid].direct
    assert stack.twitter.compliance.delete_tweet(iid)
    desk = stack.runtime.desk()
    desk.claim(iid, "sato")
    with pytest.raises(AppError) as refused:
        desk.reply(iid, "sato", "ご不便をおかけしております。", "tok-" + uuid.uuid4().hex)
    assert refused.value.status == 410 and refused.value.code == "tweet_gone"
    blanked = Inquiry.get(iid)
    assert blanked.text == "" and blanked.erased_at is not None
    assert [m for m in blanked.messages if m.direction == "in"] == []
    assert stack.twitter.posted == []
    stack.configure(compliance_mode="lookup")
    assert _service(stack, clock).sweep().complete
    left = {i.inquiry_id: i for i in Inquiry.scan()}
    assert iid not in left  # the sweep deleted the blanked item
    assert not [i for i in left.values() if i.author_id == world.suspended]  # and the suspended author's records
