"""The desk live on loopback: what `make desk` runs and the browser tests drive.

The local stack (moto + the fake X API), the staff user pool in moto's cognito-idp with staff members whose
passwords are printed, and the desk function behind the local front - which checks each access token as API
Gateway's JWT authorizer would and stands in for Cognito's hosted UI - so the web desk at /desk/ signs in
with authorization code + PKCE exactly as on AWS. A simulated day of X plays live behind it: every simulated
minute the day's tweets appear on the fake X, the poller and the worker run, the publisher posts on its
schedule; simulated colleagues can work the queue beside you. The intent-link flow opens a stand-in for
x.com/intent/post (the machines have no internet) that posts the reply "by hand" as the support account.

    python -m infra.desk_live [--port 8080] [--speed 20] [--colleagues 4]     (make desk)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import JST, iso_z, parse_iso
from activecare.desk.service import DeskService
from activecare.keywords.catalogue import default_catalogue
from activecare.keywords.matcher import Matcher
from activecare.listening.models import ListenedTweet, MatchInfo
from activecare.twitter.models import Tweet, User
from activecare.twitter.snowflake import snowflake
from infra.local_api import LocalDeskApi
from infra.local_stack import LocalStack, StaffPool

DAY = datetime(2026, 11, 25, 9, 0, tzinfo=JST)
# The desk's staff: username -> groups (the pool's). Passwords are made per run and printed.
STAFF: dict[str, tuple[str, ...]] = {
    "sato": ("agents",), "suzuki": ("agents",), "tanaka": ("agents",), "takahashi": ("agents",),
    "yamada": ("agents", "supervisors"), "admin": ("admins",), "kobayashi": ("agents", "trainees"),
}


class LiveClock:
    """Simulated time running `speed` times faster than real time from `start`; a test can set or move it."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        self._lock = threading.Lock()
        self.speed = speed
        self._base, self._t0 = start, time.monotonic()

    def __call__(self) -> datetime:
        with self._lock:
            return self._base + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def set(self, at: datetime) -> None:
        with self._lock:
            self._base, self._t0 = at, time.monotonic()

    def advance(self, delta: timedelta) -> datetime:
        self.set(self() + delta)
        return self()


@dataclass(frozen=True)
class Seed:
    minute: int  # minutes after 09:00 JST
    username: str
    text: str
    before: tuple[str, ...] = ()  # the author's tweets just before (context)
    answered_by: str | None = None  # an earlier inquiry: answered (and resolved) by this agent
    answer: str = ""
    outcome: str | None = "answered"  # None: answered, not resolved (waiting for the customer)
    answer_after: int = 6  # minutes from the tweet to the answer
    mistake: str = ""  # what the agent typed first (refused: personal data)
    hold: str | None = None  # an agent holds it now


SEEDS: tuple[Seed, ...] = (
    Seed(8, "tanaka_k", "@ac_signal 家の中だけ圏外になります。窓際に行くとアンテナ1本…", answered_by="tanaka",
         answer="tanaka_k様、ご不便をおかけしております。お住まいのエリアの電波状況はエリアマップでご確認いただけます。"
                "https://www.example.co.jp/area", outcome="answered"),
    Seed(14, "mika_0312", "@ac_help 今月の請求額が先月の倍になってる…料金プランの内訳ってどこで見られますか？",
         answered_by="suzuki",
         answer="mika_0312様、ご連絡ありがとうございます。ご契約内容の確認が必要なため、お手数ですが"
         "下記のメールフォームよりお問い合わせいただけますでしょうか。 https://www.example.co.jp/support/form",
         outcome="email_form", answer_after=5),
    Seed(16, "haruto_b", "@ac_help 料金プランを変更したいのですが、今月中に変更すると日割りになりますか？",
         answered_by="takahashi", answer="haruto_b様、お問い合わせありがとうございます。料金プランの変更は翌月1日から"
         "適用されます。詳しくは下記をご確認ください。 https://www.example.co.jp/support/billing", outcome=None,
         answer_after=9, mistake="haruto_b様、確認のためお電話番号 090-1111-2222 を教えていただけますか。"),
    Seed(19, "miki_t", "@ac_wifi ホームルーターの置き場所ってどこがいいですか？Wi-Fiの電波が弱い気がします",
         answered_by="takahashi",
         answer="miki_t様、Wi-Fiがつながりにくくご不便をおかけしております。ルーターは床から1〜2mの"
         "高さ、部屋の中央付近がおすすめです。 https://www.example.co.jp/support/wifi", answer_after=7),
    Seed(23, "shop_fan", "@ac_help 新宿のショップの方がとても親切でした！機種変更もスムーズでした",
         answered_by="suzuki", answer="shop_fan様、温かいお言葉をありがとうございます。励みになります。今後とも快適に"
         "ご利用いただけるよう努めてまいります。", answer_after=4),
    Seed(21, "hiro_cafe", "家のWi-Fiが繋がらない…ルーター再起動しても無理。在宅勤務なのに困る",
         before=("今日は在宅勤務。コーヒー淹れた", "会議の資料まだ終わってない")),
    Seed(27, "kenta_run", "@ac_signal 渋谷駅のホームでずっと圏外です。電車の遅延情報も見られない"),
    Seed(31, "yuki_mama", "通信障害？朝からモバイルデータが全然つながらない。子供の連絡が取れなくて不安",
         before=("保育園の送り完了",)),
    Seed(38, "tanaka_k", "@ac_signal 前にも相談したけど、また家の中だけ圏外。改善の予定はありますか？",
         before=("窓際でしか電話できない生活つらい",)),
    Seed(42, "sakura_n", "@ac_help 機種変更の予約をしたいのですが、ショップの待ち時間が2時間と言われました"),
    Seed(47, "taro_t", "@ac_help 契約番号 AB-1234567 です。解約の手続きを進めたいので折り返しください 090-8765-4321",
         hold="suzuki"),
    Seed(53, "nao_photo", "eSIMへの切り替えが途中で止まって圏外のまま。SIMの再発行が必要？"),
    Seed(58, "mika_0312", "@ac_help メールフォームから送りました。返事はいつ頃来ますか？料金の件です"),
    Seed(62, "ryo_dev", "5Gなのにパケ詰まりがひどい。モバイルデータ遅すぎて動画が止まる",
         before=("新しいスマホ届いた", "5Gエリアのはずなんだけどな")),
    Seed(66, "emi_k", "@ac_wifi ホームルーターのランプが赤く点滅していてネットに繋がりません"),
    Seed(71, "shun_g", "海外ローミングの料金ってどうなってるの？来週出張なんだけど設定が分からない"),
    Seed(75, "aya_h", "@ac_help いつも丁寧に対応してくださってありがとうございます！ショップの方も親切でした"),
    Seed(79, "koji_m", "通話中に何度も切れる。電波は立ってるのに通話が途切れるのなんで", hold="tanaka"),
    Seed(83, "rin_0808", "データ容量もう使い切った…ギガ追加ってアプリからできる？", before=("月末までまだ10日ある",)),
    Seed(86, "daiki_s", "@ac_wifi 光回線の工事日を変更したいです。〒150-0002 東京都渋谷区渋谷2-21-1 に住んでいます"),
    Seed(88, "mei_k", "スマホの画面割れた、故障受付ってどこでやってる？修理の間の代替機はある？"),
)


@dataclass
class Seeded:
    ids: dict[str, list[str]] = field(default_factory=dict)  # username -> inquiry ids, oldest first

    def last(self, username: str) -> str:
        return self.ids[username][-1]


_FAKE_INTENT_PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>X（開発用の代役）</title>
<style>body{font-family:"Noto Sans JP","IPAGothic",sans-serif;background:#000;color:#e7e9ea;margin:0;padding:40px}
.box{max-width:560px;margin:auto;background:#16181c;border-radius:16px;padding:20px}textarea{width:100%;
height:140px;background:#000;color:#e7e9ea;border:1px solid #333;font-size:16px}button{background:#1d9bf0;color:#fff;
border:0;border-radius:20px;padding:8px 20px;font-size:15px;margin-top:10px}</style></head><body><div class="box">
<p>返信先ポスト __REPLY_TO__（開発用の x.com の代役）</p><textarea id="t" readonly></textarea><br>
<button id="post">ポストする</button><p id="done"></p></div><script>
const q=new URLSearchParams(location.search);document.getElementById('t').value=q.get('text')||'';
document.getElementById('post').onclick=async()=>{const r=await fetch('__HARNESS__/_fake_x/by_hand',{method:'POST',
body:JSON.stringify({in_reply_to:q.get('in_reply_to'),text:q.get('text')})});
document.getElementById('done').textContent=r.ok?'ポストしました':'失敗しました '+r.status;};</script></body></html>"""


class LiveDesk:
    """The local stack, the staff pool, the desk behind the JWT-checking front, and the x.com stand-in."""

    def __init__(self, *, port: int = 0, start: datetime = DAY, now_minute: int = 92, speed: float = 1.0,
                 staff: dict[str, tuple[str, ...]] | None = None, password: str | None = None,
                 intent_links_to_stand_in: bool = True) -> None:
        """`password`: one password for every member (tests); None: a fresh one each, printed by `make desk`.
        `intent_links_to_stand_in`: the desk's intent links open the x.com stand-in (False: they name x.com,
        as on AWS, and a browser test routes them to `x_url`)."""
        self.clock = LiveClock(start, speed)
        self.port = port
        self.now_minute = now_minute
        self.staff = dict(staff or STAFF)
        self._password = password
        self.passwords: dict[str, str] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._matcher = Matcher(default_catalogue())
        self.seeded = Seeded()
        self._by_hand: _XStandIn | None = None
        self._intent_to_stand_in = intent_links_to_stand_in
        self.x_url = ""

    # --- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> str:
        self.stack = LocalStack(self.clock)  # type: ignore[arg-type]
        self.stack.start()
        self.pool: StaffPool = self.stack.staff_pool()
        self.passwords = (self.pool.create_staff(self.staff, password=self._password) if self._password
                          else self._create_staff())
        self._by_hand = _XStandIn(self)
        self.x_url = self._by_hand.start()
        self.api: LocalDeskApi = self.pool.desk_api(port=self.port, clock=self.clock)
        self.api.start()
        intent = {"intent_base_url": f"{self.x_url}/intent/post"} if self._intent_to_stand_in else {}
        self.stack.configure(auth_base_url=self.api.url, web_client_id=self.pool.web_client_id,
                             desk_url=self.api.url, **intent)
        return self.url

    def _create_staff(self) -> dict[str, str]:
        made = {}
        for name, groups in self.staff.items():
            made |= self.pool.create_staff({name: groups}, password=_password())
        return made

    def stop(self) -> None:
        self.api.stop()
        if self._by_hand is not None:
            self._by_hand.stop()
        self.stack.stop()

    def __enter__(self) -> LiveDesk:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self.api.url

    @property
    def desk(self) -> DeskService:
        return self.stack.runtime.desk()

    def expire_sessions(self) -> None:
        """Every session ends, as after a shift: the front sees every token as expired and the refresh tokens
        no longer work (moto cannot revoke them: the authorizer's clock moves past their 12-hour life)."""
        real = self.api.authorizer.clock
        self.api.authorizer.clock = lambda: real() + timedelta(hours=13)

    # --- inquiries ---------------------------------------------------------------------------------------

    def user(self, username: str) -> dict[str, Any]:
        if username not in self._users:
            uid = str(1300000000000000000 + len(self._users) + 1)
            self._users[username] = {"id": uid, "username": username, "name": username,
                                     "created_at": "2019-04-01T00:00:00.000Z",
                                     "public_metrics": {"followers_count": 80, "following_count": 120,
                                                        "tweet_count": 2400, "listed_count": 0}}
            self.stack.twitter.add_users([self._users[username]])
        return self._users[username]

    def arrive(self, username: str, text: str, before: tuple[str, ...] = (), at: datetime | None = None) -> str:
        """A customer tweets (after `before`, their earlier tweets) and the worker's ingestor stores the inquiry."""
        user = self.user(username)
        at = at or self.clock()
        for n, earlier in enumerate(before):
            t = at - timedelta(minutes=20 - 5 * n)
            self.stack.twitter.add_tweets([_tweet(t, earlier, user["id"])])
        body = _tweet(at, text, user["id"])
        self.stack.twitter.add_tweets([body])
        if self.clock() < at + timedelta(seconds=30):
            self.clock.set(at + timedelta(seconds=30))
        found = Tweet(body["id"], text, user["id"], parse_iso(body["created_at"]), body["conversation_id"],
                      lang="ja", author=User(user["id"], username, username))
        hit = self._matcher.match(text)
        mentioned = next((a for a in DEFAULT_ACCOUNTS if f"@{a.username}" in text), None)
        match = MatchInfo(topic=hit.topic, department=hit.department, account=hit.account,
                          keywords=list(hit.keywords)) if hit else None
        message = ListenedTweet.of(found, "mention" if mentioned else "search",
                                   mentioned.key if mentioned else "q0", match)
        outcome = self.stack.runtime.ingestor().ingest(message)
        if outcome != "created":
            raise RuntimeError(f"the tweet did not make an inquiry ({outcome}): {text}")
        self.seeded.ids.setdefault(username, []).append(body["id"])
        return str(body["id"])

    def answer(self, inquiry_id: str, agent: str, text: str, outcome: str | None = "answered") -> None:
        """An agent answers through the desk (by hand where the API may not reply) and resolves it."""
        desk = self.desk
        desk.claim(inquiry_id, agent)
        token = "seed-" + uuid.uuid4().hex
        result = desk.reply(inquiry_id, agent, text, token)
        if result.status == "prepared" and result.intent_url:
            self.send_by_hand(result.intent_url)
            desk.confirm(inquiry_id, agent, token)
        if outcome:
            desk.resolve(inquiry_id, agent, outcome)

    def send_by_hand(self, intent_url: str) -> dict[str, Any]:
        """What the agent does after opening the intent link, logged in on X as the account: post it."""
        q = dict(parse_qsl(urlsplit(intent_url).query))
        in_reply_to, text = q["in_reply_to"], q["text"]
        account = self.desk.show(self._inquiry_of(in_reply_to)).reply.account
        key = next(a.key for a in DEFAULT_ACCOUNTS if a.username == account)
        resp = requests.post(f"{self.stack.twitter_url}/_fake/by_hand", timeout=10, json={
            "token": self.stack.account_tokens[key], "text": text, "in_reply_to": in_reply_to})
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()["data"]
        return data

    def _inquiry_of(self, tweet_id: str) -> str:
        """The inquiry a tweet belongs to (the inquiry id, or a later message of its conversation)."""
        from activecare.storage.models import Inquiry

        for ids in self.seeded.ids.values():
            if tweet_id in ids:
                return tweet_id
        for inq in Inquiry.scan():
            if tweet_id in (inq.tweet_ids or set()):
                return str(inq.inquiry_id)
        return tweet_id

    def seed(self, seeds: tuple[Seed, ...] = SEEDS) -> Seeded:
        """A morning of the desk: earlier inquiries answered, the rest waiting; a few held by colleagues."""
        answers: list[tuple[datetime, str, Seed]] = []
        for s in sorted(seeds, key=lambda s: s.minute):
            at = DAY + timedelta(minutes=s.minute)
            for when, iid, seed in [a for a in answers if a[0] <= at]:
                self._seed_answer(when, iid, seed)
            answers = [a for a in answers if a[0] > at]
            iid = self.arrive(s.username, s.text, s.before, at=at)
            if s.answered_by:
                answers.append((at + timedelta(minutes=s.answer_after), iid, s))
        for when, iid, seed in sorted(answers, key=lambda a: a[0]):
            self._seed_answer(when, iid, seed)
        self.clock.set(max(self.clock(), DAY + timedelta(minutes=self.now_minute)))
        for s in seeds:
            if s.hold:
                self.desk.claim(self.seeded.last(s.username), s.hold)
        return self.seeded

    def _seed_answer(self, when: datetime, iid: str, s: Seed) -> None:
        from activecare.desk.errors import Refused

        assert s.answered_by is not None
        self.clock.set(max(self.clock(), when))
        if s.mistake:
            self.desk.claim(iid, s.answered_by)
            with contextlib.suppress(Refused):  # as the desk does: personal data never goes out
                self.desk.reply(iid, s.answered_by, s.mistake, "seed-" + uuid.uuid4().hex)
        self.answer(iid, s.answered_by, s.answer, s.outcome)

    # --- the simulated day, live -------------------------------------------------------------------------

    def play(self, stop: threading.Event, *, tweets: int, colleagues: int = 0, seed: int = 7,
             until: datetime | None = None, on_minute: Any = None, incidents: tuple[str, ...] = ()) -> None:
        """Play the day on the stack minute by minute as the clock moves: the generated tweets are on the fake
        X from the start (each visible from its own time), and each simulated minute the publisher (on its
        schedule), the poller and the worker run as their schedules would; `colleagues` simulated agents
        work the queue beside the people signed in."""
        from activecare.clock import iso_z as _iso
        from infra.agents import DeskAgents, work_queue
        from infra.lambda_runtime import context_for, drain_queue
        from infra.publishing_sim import PublishingDay
        from infra.seed.tweets import generate_day
        from poller import app as poller_app
        from worker import app as worker_app

        start = self.clock().replace(second=0, microsecond=0)
        end = until or start.replace(hour=20, minute=0)
        day = generate_day(seed, start, end, tweets)
        from infra.outage_sim import OutageDay

        outage = OutageDay(incidents, seed, supervise=False)  # --incident: the radar's banner on the desk
        outage.inject(day)
        self.stack.twitter.add_users(day.users)
        self.stack.twitter.add_tweets(day.tweets)
        posts = PublishingDay(self.stack)
        team = (DeskAgents(self.stack, agents=colleagues, seed=seed, exclude=frozenset(self.staff))
                if colleagues else None)
        minute = start
        while not stop.is_set() and minute < end:
            now = self.clock()
            if now < minute + timedelta(minutes=1):
                stop.wait(min(0.5, (minute + timedelta(minutes=1) - now).total_seconds() / self.clock.speed))
                continue
            minute += timedelta(minutes=1)
            if posts.due():
                posts.publish_minute()
            report = poller_app.handler({"scheduled_time": _iso(minute)}, context_for("poller"))
            drained = drain_queue(self.stack.sqs, self.stack.settings.queue_url, worker_app.handler)
            outage.minute(self.stack)
            if team is not None:
                team.notice(drained.received)
                if team.due():
                    work_queue(team)
            if on_minute is not None:
                on_minute(minute, report, drained)


def _password() -> str:
    """A password the pool's policy accepts (12+ characters, upper, lower, digit, symbol), fresh each run."""
    return f"Ac-{secrets.token_urlsafe(9)}9a"


_seq = iter(range(1, 10_000_000))


def _tweet(at: datetime, text: str, author: str) -> dict[str, Any]:
    tid = snowflake(at, next(_seq))
    return {"id": tid, "text": text, "author_id": author, "created_at": iso_z(at), "conversation_id": tid,
            "lang": "ja"}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class _XStandIn:
    """A stand-in for x.com/intent/post (no internet here): the page an agent opens from the intent link, and
    its "post" button, which posts the reply on the fake X as the support account owning the inquiry."""

    def __init__(self, live: LiveDesk) -> None:
        self.live = live
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _XRequest)
        self._httpd.daemon_threads = True
        self._httpd.live = live  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="x-intent-stand-in", daemon=True)

    def start(self) -> str:
        self._thread.start()
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class _XRequest(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/intent/post":
            return self._send(404, "text/plain; charset=utf-8", b"not found")
        reply_to = dict(parse_qsl(url.query)).get("in_reply_to", "")
        page = _FAKE_INTENT_PAGE.replace("__HARNESS__", "").replace("__REPLY_TO__", _escape(reply_to))
        page = page.replace("/_fake_x/by_hand", "/by_hand")
        return self._send(200, "text/html; charset=utf-8", page.encode())

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/by_hand":
            return self._send(404, "text/plain; charset=utf-8", b"not found")
        data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        live: LiveDesk = self.server.live  # type: ignore[attr-defined]
        from urllib.parse import urlencode

        try:
            posted = live.send_by_hand("https://x.com/intent/post?" + urlencode(
                {"in_reply_to": str(data.get("in_reply_to", "")), "text": str(data.get("text", ""))}))
        except requests.HTTPError as exc:
            return self._send(400, "application/json", json.dumps({"error": str(exc)}).encode())
        return self._send(201, "application/json", json.dumps({"data": posted}, ensure_ascii=False).encode())

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--speed", type=float, default=20.0,
                        help="simulated seconds per real second (20: a simulated minute every 3 s)")
    parser.add_argument("--tweets", type=int, default=9000, help="tweets on X over the rest of the day")
    parser.add_argument("--colleagues", type=int, default=4, help="simulated agents working beside you (0-10)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--incident", action="append", default=[], metavar="TOPIC,PLACE,START,DURATION,PEAK",
                        help="inject an outage into the day (see infra/simulate_day.py --help); repeatable")
    args = parser.parse_args(argv)
    from infra.outage_sim import IncidentSpec

    for spec in args.incident:
        try:
            IncidentSpec.parse(spec)
        except ValueError as exc:
            parser.error(str(exc))
    import logging
    import os

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    logging.getLogger().setLevel(logging.WARNING)
    stop = threading.Event()
    with LiveDesk(port=args.port) as live:
        live.seed()
        live.clock.speed = args.speed
        print(f"\nactivecare desk: {live.url}/desk   (Ctrl+C stops)\n\nstaff (user name / password / groups):")
        for name, password in live.passwords.items():
            print(f"  {name:<10} {password:<18} {', '.join(live.staff[name])}")
        print("\nthe CLI against this stack, in another terminal:\n"
              f"  export AWS_REGION={live.stack.settings.region} AWS_ENDPOINT_URL={live.stack.aws_endpoint} "
              "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing\n"
              f"  export USER_POOL_ID={live.pool.pool_id} CLI_CLIENT_ID={live.pool.cli_client_id} "
              f"ACTIVECARE_COGNITO_ENDPOINT={live.stack.aws_endpoint} DESK_API_URL={live.url}\n"
              f"  export INQUIRY_TABLE={live.stack.settings.inquiry_table} "
              f"STATE_TABLE={live.stack.settings.state_table} KEYWORD_TABLE={live.stack.settings.keyword_table}\n"
              "  activecare login --username sato && activecare desk list\n")

        totals = {"fetched": 0, "queued": 0, "stored": 0}

        def progress(minute: datetime, report: dict[str, Any], drained: Any) -> None:
            totals["fetched"] += report["fetched"]
            totals["queued"] += report["enqueued"]
            totals["stored"] += drained.received
            if minute.minute % 10 == 0:
                print(f"{minute.astimezone(JST):%H:%M} JST  since the start: fetched {totals['fetched']:>5}, "
                      f"queued {totals['queued']:>4}, delivered to the worker {totals['stored']:>4}", flush=True)

        player = threading.Thread(target=live.play, args=(stop,), daemon=True, kwargs={
            "tweets": args.tweets, "colleagues": args.colleagues, "seed": args.seed, "on_minute": progress,
            "incidents": tuple(args.incident)})
        player.start()
        try:
            while player.is_alive():
                player.join(1)
            print("the simulated day is over; the desk stays up (Ctrl+C stops)")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
