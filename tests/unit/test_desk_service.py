"""DeskService with in-memory fakes: claims, idempotent replies (crash between post and record),
refusals, tier rule with intent + confirm, priority, history, figures."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import JST, ManualClock
from activecare.desk.errors import BadRequest, Conflict, Forbidden, NotFound, Refused, Unavailable
from activecare.desk.memory import MemoryDoNotContact, MemoryInquiries, MemoryReservations, MemoryTally
from activecare.desk.models import Actor, DeskInquiry, Msg
from activecare.desk.service import DeskService
from activecare.settings import Settings
from activecare.twitter.memory import InMemoryTwitter
from activecare.twitter.models import Tweet, User
from activecare.twitter.port import DuplicateContent, TwitterRejected, TwitterUnavailable
from activecare.twitter.snowflake import snowflake

START = datetime(2026, 11, 25, 10, 0, tzinfo=JST)
TEXT = "ご不便をおかけしております。端末の再起動をお試しください。"
SUPERVISOR_SATO = Actor("sato", frozenset({"agents", "supervisors"}))
YAMADA = Actor("yamada", frozenset({"agents", "supervisors"}))  # the team's supervisor


class World:
    def __init__(self, access_level: str = "pro") -> None:
        self.clock = ManualClock(START)
        self.repo = MemoryInquiries()
        self.reservations = MemoryReservations()
        self.tally = MemoryTally()
        self.reader = InMemoryTwitter(clock=self.clock)
        self.posters: dict[str, InMemoryTwitter] = {}
        for acc in DEFAULT_ACCOUNTS:  # one X per account, sharing one world of posts
            tw = InMemoryTwitter(User(acc.user_id, acc.username), clock=self.clock)
            tw.tweets = self.reader.tweets
            self.posters[acc.key] = tw
        self.desk = DeskService(settings=Settings(access_level=access_level), inquiries=self.repo,  # type: ignore[arg-type]
                                reservations=self.reservations, tally=self.tally, reader=self.reader,
                                poster_for=self.posters.__getitem__, clock=self.clock,
                                do_not_contact=MemoryDoNotContact())
        self._seq = 0

    def inquiry(self, text: str = "圏外です", *, account: str = "signal", author: str = "1300000000000000001",
                direct: bool = False, minutes_ago: int = 5, past: int = 0, topic: str = "signal") -> DeskInquiry:
        self._seq += 1
        at = self.clock() - timedelta(minutes=minutes_ago)
        tid = snowflake(at, self._seq)
        self.reader.add(Tweet(tid, text, author, at, tid, author=User(author, f"user{author[-3:]}")))
        inq = DeskInquiry(inquiry_id=tid, tweet_id=tid, author_id=author, text=text, created_at=at, account=account,
                          topic=topic, author_username=f"user{author[-3:]}", conversation_id=tid, direct=direct,
                          past_inquiries=past, messages=[Msg(tid, author, text, at, "in")])
        self.repo.put(inq)
        return inq

    @property
    def posted(self) -> list[Tweet]:
        return [t for tw in self.posters.values() for t in tw.posted]


@pytest.fixture
def w() -> World:
    return World()


def test_two_agents_never_hold_the_same_inquiry_and_claims_expire(w: World) -> None:
    inq = w.inquiry()
    w.desk.claim(inq.inquiry_id, "sato")
    with pytest.raises(Conflict) as exc:
        w.desk.claim(inq.inquiry_id, "suzuki")
    assert exc.value.extra["claimed_by"] == "sato"
    w.clock.advance(timedelta(minutes=15, seconds=1))
    assert w.desk.claim(inq.inquiry_id, "suzuki").claimed_by == "suzuki"
    with pytest.raises(NotFound):
        w.desk.claim("999", "sato")
    with pytest.raises(BadRequest):
        w.desk.claim(inq.inquiry_id, "bad agent name")


def test_a_retried_reply_posts_once(w: World) -> None:
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    first = w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0001")
    again = w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0001")
    assert first.status == "posted" and first.mode == "api" and not first.replayed
    assert again.replayed and again.tweet_id == first.tweet_id
    assert len(w.posted) == 1 and w.posted[0].replied_to == inq.inquiry_id
    assert w.posted[0].author_id == DEFAULT_ACCOUNTS[1].user_id  # @ac_signal owns the topic
    stored = w.repo.get(inq.inquiry_id)
    assert stored is not None and stored.status == "replied" and stored.first_response_by == "sato"
    assert [m.agent for m in stored.our_replies] == ["sato"]
    with pytest.raises(Conflict) as exc:
        w.desk.reply(inq.inquiry_id, "sato", TEXT + "！", "token-0001")
    assert exc.value.code == "token_reused"


def test_a_crash_between_post_and_record_is_reconciled_not_reposted(w: World) -> None:
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    original = w.repo.add_reply
    w.repo.add_reply = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("Lambda timed out"))  # type: ignore[method-assign]
    w.reservations.update = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("Lambda timed out"))  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-crash")
    assert len(w.posted) == 1 and w.reservations.items["token-crash"].status == "pending"
    w.repo.add_reply = original  # type: ignore[method-assign]
    del w.reservations.update
    w.clock.advance(timedelta(seconds=30))
    result = w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-crash")
    assert result.tweet_id == w.posted[0].id and len(w.posted) == 1
    assert w.tally.read("2026-11-25")["sato"]["replies"] == 1


def test_an_unreachable_x_keeps_the_token_for_a_safe_retry(w: World) -> None:
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    w.posters["signal"].fail_next("post", TwitterUnavailable("503"))
    with pytest.raises(Unavailable):
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0002")
    assert w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0002").status == "posted"
    assert len(w.posted) == 1


def test_duplicate_content_is_a_conflict_unless_the_reply_is_already_there(w: World) -> None:
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    w.posters["signal"].fail_next("post", DuplicateContent(403, "duplicate content"))
    with pytest.raises(Conflict) as exc:
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0003")
    assert exc.value.code == "duplicate_content" and "token-0003" not in w.reservations.items
    assert w.desk.figures("2026-11-25").desk.refusals.duplicate_content == 1


@pytest.mark.parametrize("text, kind", [("090-1234-5678 にお電話ください", "phone"),
                                        ("taro@example.com までメールください", "email"),
                                        ("東京都新宿区西新宿2-8-1 のショップへ", "address"),
                                        ("契約番号 12345678 を確認しました", "contract_number")])
def test_personal_data_is_refused_with_the_email_form_offered(w: World, text: str, kind: str) -> None:
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    with pytest.raises(Refused) as exc:
        w.desk.reply(inq.inquiry_id, "sato", text, "token-0004")
    assert exc.value.code == "personal_data" and exc.value.extra["kinds"] == [kind]
    assert "https://www.example.co.jp/support/form" in exc.value.extra["offer"]["text"]
    assert w.posted == [] and w.reservations.items == {}
    stored = w.repo.get(inq.inquiry_id)
    assert stored is not None and stored.events[-1].kind == "refused" and text not in stored.events[-1].detail


def test_service_hours_and_length(w: World) -> None:
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    with pytest.raises(Refused) as exc:
        w.desk.reply(inq.inquiry_id, "sato", "あ" * 141, "token-0005")
    assert exc.value.code == "too_long" and exc.value.extra["weighted_length"] == 282
    w.clock.set(datetime(2026, 11, 25, 8, 59, tzinfo=JST))
    with pytest.raises(Refused) as exc:
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0006")
    assert exc.value.code == "out_of_service_hours" and w.posted == []
    with pytest.raises(Forbidden):  # only a supervisor overrides the hours
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0006", override_hours=True)
    assert w.desk.reply(inq.inquiry_id, SUPERVISOR_SATO, TEXT, "token-0006", override_hours=True).status == "posted"


def test_keyword_found_posts_are_prepared_for_a_hand_send_then_confirmed(w: World) -> None:
    inq = w.inquiry("また圏外")  # nobody mentioned us: pro access may not reply through the API
    prepared = w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0007")
    assert prepared.status == "prepared" and w.posted == []
    want = f"https://x.com/intent/post?in_reply_to={inq.inquiry_id}&text="
    assert prepared.intent_url is not None and prepared.intent_url.startswith(want)
    with pytest.raises(Conflict) as exc:
        w.desk.confirm(inq.inquiry_id, "sato", "token-0007")
    assert exc.value.code == "not_posted_yet"
    w.clock.advance(timedelta(minutes=1))
    sent = w.posters["signal"].post(TEXT, in_reply_to=inq.inquiry_id)  # the agent, by hand
    confirmed = w.desk.confirm(inq.inquiry_id, "sato", "token-0007")
    assert confirmed.tweet_id == sent and confirmed.mode == "manual"
    assert w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0007").tweet_id == sent
    assert w.desk.figures("2026-11-25").desk.manual_posts == 1
    assert w.desk.figures("2026-11-25").api_cost.usd == 0


def test_enterprise_replies_through_the_api_and_a_refused_api_reply_falls_back_to_by_hand() -> None:
    ent = World("enterprise")
    inq = ent.inquiry("また圏外")
    assert ent.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0008").mode == "api"
    pro = World("pro")
    inq = pro.inquiry("@ac_signal 圏外")
    pro.posters["signal"].fail_next("post", TwitterRejected(
        403, "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
             "engaged by the author of the post you are replying to."))
    assert pro.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0009").status == "prepared"


def test_priority_puts_direct_and_returning_customers_first(w: World) -> None:
    old = w.inquiry(minutes_ago=50)
    returning = w.inquiry(minutes_ago=10, past=2, author="1300000000000000002")
    direct = w.inquiry("@ac_signal 圏外", minutes_ago=5, direct=True, author="1300000000000000003")
    by_age = [i.inquiry_id for i in w.desk.list().items]
    assert by_age == [old.inquiry_id, returning.inquiry_id, direct.inquiry_id]
    by_priority = [i.inquiry_id for i in w.desk.list(order="priority").items]
    assert by_priority == [direct.inquiry_id, returning.inquiry_id, old.inquiry_id]
    page = w.desk.list(order="priority", limit=2)
    assert len(page.items) == 2 and w.desk.list(order="priority", cursor=page.next_cursor).items[0].inquiry_id \
        == old.inquiry_id
    assert [i.inquiry_id for i in w.desk.list(min_age_minutes=30).items] == [old.inquiry_id]
    assert w.desk.claim_next("sato").inquiry_id == direct.inquiry_id
    assert w.desk.claim_next("suzuki").inquiry_id == returning.inquiry_id


def test_show_puts_history_first_with_our_replies_and_outcomes(w: World) -> None:
    first = w.inquiry("@ac_signal 圏外", direct=True, minutes_ago=60)
    w.desk.reply(first.inquiry_id, "sato", TEXT, "token-0010")
    w.desk.resolve(first.inquiry_id, "sato", "answered")
    second = w.inquiry("また圏外です", minutes_ago=1, past=1)
    shown = w.desk.show(second.inquiry_id)
    assert next(iter(shown.model_dump())) == "history" and shown.history.returning_customer
    (past,) = shown.history.earlier_inquiries
    assert past.outcome == "answered" and past.our_replies[0].text == TEXT
    assert shown.reply.mode == "manual"
    with pytest.raises(Conflict):
        w.desk.resolve(first.inquiry_id, "sato", "answered")
    w.desk.reopen(first.inquiry_id, "suzuki", "お客様から追加のご質問")
    assert w.repo.get(first.inquiry_id).status == "new"  # type: ignore[union-attr]
    with pytest.raises(BadRequest):
        w.desk.resolve(first.inquiry_id, "sato", "maybe")


def test_figures_per_agent(w: World) -> None:
    for n, agent in enumerate(["sato", "sato", "suzuki"]):
        inq = w.inquiry("@ac_signal 圏外", direct=True, minutes_ago=10 * (n + 1), author=f"13000000000000001{n}")
        text = w.desk.templates.email_form.render(inq.author_username) if agent == "suzuki" else TEXT + str(n)
        w.desk.reply(inq.inquiry_id, agent, text, f"token-fig-{n}")
    f = w.desk.figures("2026-11-25")
    assert f.agents["sato"].replies == 2 and f.agents["sato"].median_first_response_s == 900.0
    assert f.agents["suzuki"].email_form_guidance == 1
    assert f.desk.median_first_response_s == 1200.0
    assert f.api_cost.model_dump() == {"posts": 3, "posts_with_url": 1, "usd": round(2 * 0.015 + 0.2, 4)}


def test_the_stacks_service_hours_are_kept(w: World) -> None:
    w.desk.settings = Settings(service_hours="10:00-18:00")  # the stack's ServiceHours parameter
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    w.clock.set(datetime(2026, 11, 25, 9, 30, tzinfo=JST))  # inside the default hours, outside the stack's
    with pytest.raises(Refused, match="10:00-18:00") as exc:
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0101")
    assert exc.value.code == "out_of_service_hours" and w.posted == []
    w.clock.set(datetime(2026, 11, 25, 17, 59, tzinfo=JST))
    assert w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0101").status == "posted"


def test_a_retried_token_runs_the_claim_resolved_and_hours_checks_again_before_posting(w: World) -> None:
    """X was down on sato's first attempt (nothing posted); sato's claim expired, suzuki answered and resolved.
    sato's retry with the same token must not post."""
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    w.posters["signal"].fail_next("post", TwitterUnavailable("503"))
    with pytest.raises(Unavailable):
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-late-1")
    w.clock.advance(timedelta(minutes=16))
    w.desk.reply(inq.inquiry_id, "suzuki", TEXT + "（鈴木）", "token-suzuki")
    w.desk.resolve(inq.inquiry_id, "suzuki", "answered")
    with pytest.raises(Conflict) as exc:
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-late-1")
    assert exc.value.code == "resolved" and [t.text for t in w.posted] == [TEXT + "（鈴木）"]
    # held by another agent: 409 claimed; out of hours: refused - and nothing posted either way
    other = w.inquiry("@ac_signal また圏外", direct=True, author="1300000000000000009")
    w.posters["signal"].fail_next("post", TwitterUnavailable("503"))
    with pytest.raises(Unavailable):
        w.desk.reply(other.inquiry_id, "sato", TEXT, "token-late-2")
    w.clock.advance(timedelta(minutes=16))
    w.desk.claim(other.inquiry_id, "suzuki")
    with pytest.raises(Conflict) as exc:
        w.desk.reply(other.inquiry_id, "sato", TEXT, "token-late-2")
    assert exc.value.code == "claimed"
    w.desk.release(other.inquiry_id, "suzuki")
    w.clock.set(datetime(2026, 11, 25, 20, 30, tzinfo=JST))
    with pytest.raises(Refused) as exc:
        w.desk.reply(other.inquiry_id, "sato", TEXT, "token-late-2")
    assert exc.value.code == "out_of_service_hours" and len(w.posted) == 1


def test_roles_agents_act_on_what_they_hold_supervisors_on_everything(w: World) -> None:
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    w.desk.claim(inq.inquiry_id, "sato")
    w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-role-1")
    with pytest.raises(Forbidden):  # suzuki may not reopen what sato holds
        w.desk.reopen(inq.inquiry_id, "suzuki", "追加のご質問")
    with pytest.raises(Forbidden):
        w.desk.reassign(inq.inquiry_id, "suzuki", "suzuki")
    moved = w.desk.reassign(inq.inquiry_id, YAMADA, "suzuki")
    assert moved.previous == "sato" and moved.claimed_by == "suzuki"
    assert w.repo.get(inq.inquiry_id).holder(w.clock()) == "suzuki"  # type: ignore[union-attr]
    assert w.repo.get(inq.inquiry_id).events[-1].kind == "reassign"  # type: ignore[union-attr]
    assert w.desk.reopen(inq.inquiry_id, YAMADA, "確認のため").status == "new"
    other = w.inquiry("@ac_signal また圏外", direct=True, author="1300000000000000008")
    w.desk.reply(other.inquiry_id, "suzuki", TEXT + "。", "token-role-2")
    # figures: an agent sees the desk and their own row, a supervisor the whole team
    assert set(w.desk.figures("2026-11-25", "sato").agents) == {"sato"}
    assert set(w.desk.figures("2026-11-25", YAMADA).agents) == {"sato", "suzuki", "yamada"}  # yamada reopened
    assert w.desk.me(YAMADA).supervisor and not w.desk.me("sato").supervisor


def test_one_automated_reply_per_customer_post_whoever_sends_it(w: World) -> None:
    """X's rules: one automated reply per interaction. A second API reply to the same customer tweet is refused;
    the customer's next post in the thread is a new interaction."""
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-once-1")
    with pytest.raises(Conflict) as exc:
        w.desk.reply(inq.inquiry_id, "sato", TEXT + "（補足）", "token-once-2")
    assert exc.value.code == "already_replied"
    w.desk.release(inq.inquiry_id, "sato")
    with pytest.raises(Conflict) as exc:
        w.desk.reply(inq.inquiry_id, "suzuki", TEXT + "（鈴木）", "token-once-3")
    assert exc.value.code == "already_replied" and len(w.posted) == 1
    assert w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-once-1").replayed  # the same request replays
    later = snowflake(w.clock() + timedelta(seconds=1), 99)
    stored = w.repo.get(inq.inquiry_id)
    assert stored is not None
    stored.messages.append(Msg(later, inq.author_id, "@ac_signal まだ圏外です", w.clock(), "in"))
    w.reader.add(Tweet(later, "@ac_signal まだ圏外です", inq.author_id, w.clock(), inq.inquiry_id,
                       author=User(inq.author_id, inq.author_username)))
    w.repo.put(stored)
    w.clock.advance(timedelta(seconds=5))
    assert w.desk.reply(inq.inquiry_id, "suzuki", TEXT + "（再起動後も）", "token-once-4").in_reply_to == later


def test_the_desks_verdict_reaches_the_query_that_found_the_tweet_once() -> None:
    """Listening's yield learns from the desk (listening/usage.py): a search find resolved as answered or with the
    e-mail form counts as answered, 返信不要 as resolved only; a reopened one resolved again is not counted again,
    a mention never."""
    from dataclasses import replace

    from activecare.listening.memory import MemoryUsage

    w = World()
    w.desk.verdicts = usage = MemoryUsage()
    found = [replace(w.inquiry(f"圏外です {n}", author=f"13000000000000002{n}"), source_key="q1") for n in range(3)]
    for inq in found:
        w.repo.put(inq)
    mention = w.inquiry("@ac_signal 圏外", direct=True, author="1300000000000000039")
    w.repo.put(replace(mention, source="mention", source_key="signal"))
    w.desk.resolve(found[0].inquiry_id, "sato", "answered")
    w.desk.resolve(found[1].inquiry_id, "sato", "email_form")
    w.desk.resolve(found[2].inquiry_id, "sato", "no_reply_needed")
    w.desk.resolve(mention.inquiry_id, "sato", "answered")
    w.desk.reopen(found[2].inquiry_id, "sato", "もう一度")
    w.desk.resolve(found[2].inquiry_id, "sato", "answered")
    month = usage.get("2026-11")
    assert month.resolved == {"search#q1": 3} and month.answered == {"search#q1": 2}  # beside its reads

