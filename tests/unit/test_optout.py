"""Opt-outs honoured (X's rule): the catalogue's opt-out phrases, the poller's flag on replies to us, the
worker's do-not-contact record, the desk's refusal (a customer who engages again is still answered), a block
recorded from X's refusal, and the supervisor's lift."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.desk.errors import BadRequest, Conflict, Forbidden, Refused
from activecare.desk.memory import MemoryDoNotContact
from activecare.desk.models import Msg
from activecare.keywords.catalogue import CatalogueError, default_catalogue, load_catalogue
from activecare.keywords.matcher import Matcher
from activecare.keywords.packing import pack_queries
from activecare.listening.ingest import Ingestor
from activecare.listening.memory import MemoryCheckpoints, MemoryInquiryStore, MemoryQueue
from activecare.listening.models import ListenedTweet
from activecare.twitter.port import TwitterRejected
from activecare.twitter.snowflake import snowflake
from tests.unit.test_desk_service import TEXT, YAMADA, World
from tests.unit.test_ingest import SIGNAL, T0, tw
from tests.unit.test_poll import KeywordMatcher, ScriptedTwitter, make_poller, page, tweet

HEADER = "topic,department,account,kind,term,note\n"
SIGNAL_ROW = "signal,network,signal,keyword,圏外,\n"
SIGNAL_ACCOUNT = next(a for a in DEFAULT_ACCOUNTS if a.key == "signal")


# ---- the catalogue and the matcher ----

def test_optout_is_a_global_kind_kept_out_of_topics_and_queries() -> None:
    cat = load_catalogue(HEADER + SIGNAL_ROW + "*,,,optout,返信不要,\n*,,,optout,絡まないで,\n")
    assert cat.optouts == ("返信不要", "絡まないで")
    assert cat.keywords() == ("圏外",)
    assert {"kind": "optout", "term": "返信不要"}.items() <= cat.rows()[-2].items()
    assert type(cat).from_items(cat.to_items()) == cat
    assert load_catalogue(cat.dump_csv()) == cat


def test_optout_rows_are_validated() -> None:
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(HEADER + SIGNAL_ROW + "signal,network,signal,optout,返信不要,\n"
                       "*,,,optout,リプ不要,\n*,,,optout,ﾘﾌﾟ不要,\n")
    text = str(exc.value)
    assert "opt-out phrases are global" in text and "duplicate opt-out phrase" in text


def test_optout_phrases_are_never_searched() -> None:
    cat = default_catalogue()
    assert len(cat.optouts) >= 15
    queries = " ".join(q.query for q in pack_queries(cat, 512))
    assert not any(term in queries for term in cat.optouts)


@pytest.mark.parametrize("text", [
    "@ac_signal 返信不要です", "リプ不要", "ﾘﾌﾟ不要です", "絡まないでください", "通知うるさい", "通知ｳﾙｻｲ",
    "ほっといてください", "ブロックします", "勝手にリプしてこないで", "話しかけないで",
])
def test_matcher_finds_real_opt_outs(text: str) -> None:
    assert Matcher(default_catalogue()).opts_out(text)


@pytest.mark.parametrize("text", [
    "返信ありがとうございます", "助かりました！", "まだ圏外です", "リプありがとう", "通知が来ない", "ほっとした",
    "@henshinfuyou こんにちは", "返信お待ちしてます",
])
def test_matcher_leaves_other_answers_alone(text: str) -> None:
    assert not Matcher(default_catalogue()).opts_out(text)


# ---- the poller and the worker ----

def _queued(replying_to: str | None, text: str) -> ListenedTweet:
    t = tweet(1, text)
    t = type(t)(**{**t.__dict__, "in_reply_to_user_id": replying_to})
    queue = MemoryQueue()
    report = make_poller(ScriptedTwitter([page([t])]), queue, MemoryCheckpoints()).run()
    (body,) = queue.bodies
    message = ListenedTweet.model_validate(json.loads(body))
    assert report.opt_outs == int(message.opt_out)
    return message


def test_the_poller_flags_an_opt_out_only_in_a_reply_to_us() -> None:
    assert _queued(SIGNAL_ACCOUNT.user_id, "圏外の件、返信不要です").opt_out is True
    assert _queued("1200000000000000099", "圏外の件、返信不要です").opt_out is False  # a reply to someone else
    assert _queued(SIGNAL_ACCOUNT.user_id, "まだ圏外です").opt_out is False
    assert KeywordMatcher().opts_out("返信不要")


def test_the_worker_records_the_author_do_not_contact_once() -> None:
    store = MemoryInquiryStore()
    worker = Ingestor(store=store, accounts=DEFAULT_ACCOUNTS,
                      clock=lambda: T0 + timedelta(hours=1))
    t = tw(0, "圏外だけど返信不要", reply_to_user=SIGNAL_ACCOUNT.user_id)
    message = ListenedTweet.of(t, "mention", "signal", SIGNAL, opt_out=True)
    assert worker.ingest(message) == "created"
    assert store.do_not_contact[t.author_id]["reason"] == "opt_out"
    assert store.do_not_contact[t.author_id]["tweet_id"] == t.id
    assert worker.ingest(message) == "duplicate"  # redelivered: still one record
    assert not store.record_do_not_contact(t.author_id, t.id, T0, "opt_out")
    other = tw(1, "圏外です")
    worker.ingest(ListenedTweet.of(other, "search", "q1", SIGNAL))
    assert list(store.do_not_contact) == [t.author_id]


# ---- the desk ----

class DncWorld(World):
    def __init__(self) -> None:
        super().__init__()
        self.dnc = MemoryDoNotContact()
        self.desk.do_not_contact = self.dnc


@pytest.fixture
def d() -> DncWorld:
    return DncWorld()


def test_an_active_support_reply_to_an_opted_out_author_is_refused(d: DncWorld) -> None:
    inq = d.inquiry("また圏外", author="1300000000000000007")
    d.dnc.record(inq.author_id, inq.tweet_id, d.clock(), "opt_out")
    assert d.desk.list().items[0].do_not_contact is True
    detail = d.desk.show(inq.inquiry_id).inquiry
    assert detail.do_not_contact and detail.do_not_contact_reason == "opt_out" and detail.do_not_contact_since
    with pytest.raises(Refused) as exc:
        d.desk.reply(inq.inquiry_id, "sato", TEXT, "token-dnc-1")
    assert exc.value.code == "do_not_contact" and not d.posted
    assert d.desk.figures("2026-11-25").desk.refusals.do_not_contact == 1
    last = d.repo.items[inq.inquiry_id].events[-1]
    assert (last.kind, last.detail) == ("refused", "do_not_contact opt_out")


def test_a_customer_who_mentions_us_again_is_answered(d: DncWorld) -> None:
    old = d.inquiry("また圏外", author="1300000000000000008", minutes_ago=30)
    d.dnc.record(old.author_id, old.tweet_id, d.clock() - timedelta(minutes=29), "opt_out")
    new = d.inquiry("@ac_signal やっぱり圏外、助けて", author="1300000000000000008", direct=True)
    assert d.desk.list().items[-1].do_not_contact is True  # still marked: the agent sees it
    assert d.desk.reply(new.inquiry_id, "sato", TEXT, "token-dnc-2").status == "posted"


def test_an_opt_out_reply_to_our_reply_does_not_count_as_engaging(d: DncWorld) -> None:
    inq = d.inquiry("@ac_signal 圏外です", author="1300000000000000009", direct=True, minutes_ago=20)
    ours = snowflake(d.clock() - timedelta(minutes=10), 1)
    theirs = snowflake(d.clock() - timedelta(minutes=5), 2)
    item = d.repo.items[inq.inquiry_id]
    item.messages += [Msg(ours, SIGNAL_ACCOUNT.user_id, "再起動をお試しください", d.clock(), "out", "sato", "signal",
                          inq.tweet_id, "api"),
                      Msg(theirs, inq.author_id, "返信不要です", d.clock(), "in")]
    d.dnc.record(inq.author_id, theirs, d.clock(), "opt_out")
    with pytest.raises(Refused) as exc:
        d.desk.reply(inq.inquiry_id, "sato", TEXT, "token-dnc-3")
    assert exc.value.code == "do_not_contact"


def test_a_block_is_recorded_when_x_refuses_the_reply(d: DncWorld) -> None:
    inq = d.inquiry("@ac_signal 圏外です", author="1300000000000000010", direct=True)
    d.posters["signal"].fail_next("post", TwitterRejected(403, "You have been blocked from the author of this tweet."))
    with pytest.raises(Refused) as exc:
        d.desk.reply(inq.inquiry_id, "sato", TEXT, "token-dnc-4")
    assert exc.value.code == "do_not_contact"
    record = d.dnc.get(inq.author_id)
    assert record is not None and record.reason == "blocked" and record.tweet_id == inq.tweet_id
    assert "token-dnc-4" not in d.reservations.items
    with pytest.raises(Refused):  # the next attempt is refused before X is asked
        d.desk.reply(inq.inquiry_id, "sato", TEXT, "token-dnc-5")
    assert d.desk.figures("2026-11-25").desk.refusals.do_not_contact == 2


def test_only_a_supervisor_lifts_a_record_with_a_reason(d: DncWorld) -> None:
    inq = d.inquiry("また圏外", author="1300000000000000011")
    d.dnc.record(inq.author_id, inq.tweet_id, d.clock(), "opt_out")
    with pytest.raises(Forbidden):
        d.desk.lift_do_not_contact(inq.inquiry_id, "sato", "お客様から再開のご依頼")
    with pytest.raises(BadRequest):
        d.desk.lift_do_not_contact(inq.inquiry_id, YAMADA, "  ")
    with pytest.raises(BadRequest):
        d.desk.lift_do_not_contact(inq.inquiry_id, YAMADA, "あ" * 201)
    lifted = d.desk.lift_do_not_contact(inq.inquiry_id, YAMADA, "お客様から再開のご依頼")
    assert lifted.lifted_by == "yamada" and lifted.author_id == inq.author_id
    assert d.repo.items[inq.inquiry_id].events[-1].kind == "lift_do_not_contact"
    assert d.desk.show(inq.inquiry_id).inquiry.do_not_contact is False
    assert d.desk.reply(inq.inquiry_id, "sato", TEXT, "token-dnc-6").status in ("posted", "prepared")
    with pytest.raises(Conflict):
        d.desk.lift_do_not_contact(inq.inquiry_id, YAMADA, "もう一度")
    assert not d.dnc.record(inq.author_id, inq.tweet_id, d.clock(), "opt_out")  # the same tweet, redelivered
    assert d.dnc.record(inq.author_id, snowflake(d.clock(), 9), d.clock(), "opt_out")  # a new opt-out
