"""DEV HARNESS for the web desk (functions/desk/web/) - not production code, not a test.

It starts the project's local stack (moto + the fake X API, infra/local_stack.py) and the desk API as
API Gateway would serve it (infra/local_api.py, agent in the X-Local-Agent header), seeds a realistic
morning of Japanese inquiries through the real ingestor, and serves on ONE origin:

    /desk/, /desk/callback, /desk/<file>   the static web desk (callback = index.html)
    /desk/config.json                      the desk's config (auth endpoints below, hours, access level)
    /inquiries..., /queue/next, /templates, /figures
                                           proxied to the desk API; the bearer token becomes X-Local-Agent

FAKE SIGN-IN (until the real Cognito stand-in lands; confined to this file, replace it on merge):

    /_fake_auth/authorize                  a sign-in page that redirects back with ?code=&state=
    /_fake_auth/token                      authorization_code (PKCE S256 checked) and refresh_token grants
    /_fake_auth/logout                     forgets nothing server-side, redirects to logout_uri
    /me                                    {"username", "roles"} from the token (a route app.py will have)
    POST /inquiries/{id}/reassign {to}     supervisors only, through DeskService (a route app.py will have)
    GET /figures                           filtered to the caller's own row unless a supervisor (as app.py will)

and, for the intent-link flow, /_fake_x/by_hand: what an agent does in the X app after opening the link
(CORS-open, so a page standing in for x.com/intent/post can call it).

    python -m tests.e2e.webdesk_harness [--port 8765] [--trickle 30]   # then open http://127.0.0.1:8765/desk/
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import mimetypes
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import requests

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import JST, iso_z, parse_iso
from activecare.keywords.catalogue import default_catalogue
from activecare.keywords.matcher import Matcher
from activecare.listening.models import ListenedTweet, MatchInfo
from activecare.twitter.models import Tweet, User
from activecare.twitter.snowflake import snowflake
from infra.local_api import AGENT_HEADER, LocalDeskApi
from infra.local_stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "functions" / "desk" / "web"
DAY = datetime(2026, 11, 25, 9, 0, tzinfo=JST)
STAFF: dict[str, list[str]] = {  # the fake user pool: username -> groups
    "sato": ["agents"], "suzuki": ["agents"], "tanaka": ["agents"], "takahashi": ["agents"],
    "yamada": ["agents", "supervisors"],
}
CLIENT_ID = "local-desk-client"


class LiveClock:
    """Simulated time running at real speed from `start` (ages in the queue move), which a test can move."""

    def __init__(self, start: datetime) -> None:
        self._lock = threading.Lock()
        self._base, self._t0 = start, time.monotonic()

    def __call__(self) -> datetime:
        with self._lock:
            return self._base + timedelta(seconds=time.monotonic() - self._t0)

    def set(self, at: datetime) -> None:
        with self._lock:
            self._base, self._t0 = at, time.monotonic()

    def advance(self, delta: timedelta) -> datetime:
        self.set(self() + delta)
        return self()


# --- the fake sign-in -----------------------------------------------------------------------------


@dataclass
class _Session:
    username: str
    access_token: str
    refresh_token: str
    expires_at: float


@dataclass
class FakeSignIn:
    """Authorization code + PKCE, opaque tokens. `access_ttl` seconds; `expire_all()` ends every session."""

    access_ttl: int = 3600
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    sessions: dict[str, _Session] = field(default_factory=dict)  # by access token
    refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> username
    lock: threading.Lock = field(default_factory=threading.Lock)
    grants: list[str] = field(default_factory=list)  # grant types served, in order (tests read it)

    def issue_code(self, username: str, params: dict[str, str]) -> str:
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {"username": username, **params}
        return code

    def _new(self, username: str, refresh_token: str | None = None) -> dict[str, Any]:
        access = "fake-at-" + secrets.token_urlsafe(18)
        refresh_token = refresh_token or "fake-rt-" + secrets.token_urlsafe(18)
        self.sessions[access] = _Session(username, access, refresh_token, time.time() + self.access_ttl)
        self.refresh[refresh_token] = username
        claims = {"cognito:username": username, "cognito:groups": STAFF[username], "token_use": "id"}
        id_token = ".".join(base64.urlsafe_b64encode(json.dumps(p).encode()).decode().rstrip("=")
                            for p in ({"alg": "none"}, claims)) + ".fake"
        return {"access_token": access, "id_token": id_token, "refresh_token": refresh_token,
                "token_type": "Bearer", "expires_in": self.access_ttl}

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            grant = form.get("grant_type", "")
            self.grants.append(grant)
            if form.get("client_id") != CLIENT_ID:
                return 400, {"error": "invalid_client"}
            if grant == "authorization_code":
                issued = self.codes.pop(form.get("code", ""), None)
                if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
                    return 400, {"error": "invalid_grant"}
                digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                if base64.urlsafe_b64encode(digest).decode().rstrip("=") != issued["code_challenge"]:
                    return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
                return 200, self._new(issued["username"])
            if grant == "refresh_token":
                username = self.refresh.get(form.get("refresh_token", ""))
                if username is None:
                    return 400, {"error": "invalid_grant"}
                out = self._new(username, form["refresh_token"])
                del out["refresh_token"]  # as Cognito: the refresh token stays the same
                return 200, out
            return 400, {"error": "unsupported_grant_type"}

    def who(self, authorization: str | None) -> str | None:
        if not authorization or not authorization.startswith("Bearer "):
            return None
        with self.lock:
            s = self.sessions.get(authorization[7:])
        return s.username if s and s.expires_at > time.time() else None

    def expire_all(self) -> None:
        """Every access token expires and no refresh token works any more (the user must sign in again)."""
        with self.lock:
            for s in self.sessions.values():
                s.expires_at = 0
            self.refresh.clear()


_SIGN_IN_PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>サインイン（開発用）</title>
<style>body{font-family:"Hiragino Kaku Gothic ProN","Noto Sans JP","IPAGothic",sans-serif;background:#eef1f4;
display:grid;place-items:center;height:100vh;margin:0}form{background:#fff;padding:32px 36px;border-radius:8px;
box-shadow:0 1px 4px #0002;width:320px}h1{font-size:18px;margin:0 0 4px}p{color:#555;font-size:13px}
label{display:block;font-size:13px;margin:14px 0 4px}input{width:100%;box-sizing:border-box;padding:8px;font-size:15px}
button{margin-top:18px;width:100%;padding:10px;font-size:15px;background:#0b5cad;color:#fff;border:0;border-radius:4px}
</style></head><body><form method="post" action="authorize">
<h1>activecare スタッフ サインイン</h1><p>開発用のサインイン画面です（本番は Cognito）。</p>
<label for="username">ユーザー名</label><input id="username" name="username" autocomplete="username" autofocus>
<label for="password">パスワード</label><input id="password" name="password" type="password" value="local">
<input type="hidden" name="q" value="__Q__"><button type="submit">サインイン</button>
<p>sato / suzuki / tanaka / takahashi（エージェント）、yamada（スーパーバイザー）</p></form></body></html>"""

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


# --- seeding ------------------------------------------------------------------------------------------


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


class WebDeskHarness:
    """The local stack, the desk API, the static desk and the fake sign-in, on one loopback origin."""

    def __init__(self, *, port: int = 0, start: datetime = DAY, now_minute: int = 92) -> None:
        self.clock = LiveClock(start)
        self.port = port
        self.now_minute = now_minute
        self.auth = FakeSignIn()
        self._users: dict[str, dict[str, Any]] = {}
        self._matcher = Matcher(default_catalogue())
        self.seeded = Seeded()
        self.reassigned: list[tuple[str, str, str]] = []

    # lifecycle
    def start(self) -> str:
        self.stack = LocalStack(self.clock)
        self.stack.start()
        self.api = LocalDeskApi()
        self.api.start()
        self._httpd = _Server(("127.0.0.1", self.port), self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="webdesk-harness", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self.api.stop()
        self.stack.stop()

    def __enter__(self) -> WebDeskHarness:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def desk(self) -> Any:
        return self.stack.runtime.desk()

    def config(self) -> dict[str, Any]:
        base = self.url
        return {"auth": {"authorize_url": f"{base}/_fake_auth/authorize", "token_url": f"{base}/_fake_auth/token",
                         "logout_url": f"{base}/_fake_auth/logout", "client_id": CLIENT_ID,
                         "redirect_uri": f"{base}/desk/callback", "scope": "openid profile"},
                "service_hours": str(self.stack.settings.service_hours), "access_level": self.stack.access_level,
                "accounts": [{"key": a.key, "username": a.username} for a in DEFAULT_ACCOUNTS]}

    # inquiries
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
        """A customer tweets (after `before`, their earlier tweets) and the ingestor stores the inquiry."""
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
        assert self.stack.runtime.ingestor().ingest(message) == "created", text
        self.seeded.ids.setdefault(username, []).append(body["id"])
        return body["id"]

    def answer(self, inquiry_id: str, agent: str, text: str, outcome: str | None = "answered") -> None:
        """An agent answers through the desk (by hand where the API may not reply) and resolves it."""
        desk = self.desk
        desk.claim(inquiry_id, agent)
        token = "seed-" + uuid.uuid4().hex
        result = desk.reply(inquiry_id, agent, text, token)
        if result["status"] == "prepared":
            self.send_by_hand(result["intent_url"])
            desk.confirm(inquiry_id, agent, token)
        if outcome:
            desk.resolve(inquiry_id, agent, outcome)

    def send_by_hand(self, intent_url: str) -> dict[str, Any]:
        """What the agent does after opening the intent link, logged in on X as the account: post it."""
        q = dict(parse_qsl(urlsplit(intent_url).query))
        in_reply_to, text = q["in_reply_to"], q["text"]
        account = self.desk.show(_inquiry_of(self, in_reply_to))["reply"]["account"]
        key = next(a.key for a in DEFAULT_ACCOUNTS if a.username == account)
        resp = requests.post(f"{self.stack.twitter_url}/_fake/by_hand", timeout=10, json={
            "token": self.stack.account_tokens[key], "text": text, "in_reply_to": in_reply_to})
        resp.raise_for_status()
        return resp.json()["data"]

    def seed(self, seeds: tuple[Seed, ...] = SEEDS) -> Seeded:
        """A morning of the desk: earlier inquiries answered, the rest waiting; a few held by colleagues."""
        answers = []
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

        self.clock.set(max(self.clock(), when))
        if s.mistake:
            self.desk.claim(iid, s.answered_by)
            with contextlib.suppress(Refused):  # as the desk does: personal data never goes out
                self.desk.reply(iid, s.answered_by, s.mistake, "seed-" + uuid.uuid4().hex)
        self.answer(iid, s.answered_by, s.answer, s.outcome)

    def trickle(self, every_s: float, stop: threading.Event) -> None:
        """Interactive use: a new inquiry every `every_s` seconds (the queue shows them without a reload)."""
        pool = _TRICKLE
        n = 0
        while not stop.wait(every_s):
            name, text = pool[n % len(pool)]
            self.arrive(f"{name}{n // len(pool) or ''}", text)
            n += 1

    # HTTP
    def handle(self, req: _Request, method: str) -> None:
        url = urlsplit(req.path)
        path = url.path
        if path == "/favicon.ico":
            return req.send_file(WEB / "favicon.svg")
        if path in ("/", "/desk"):
            return req.redirect("/desk/")
        if path == "/desk/config.json":
            return req.send_json(200, self.config())
        if path in ("/desk/", "/desk/callback"):
            return req.send_file(WEB / "index.html")
        if path.startswith("/desk/"):
            return req.send_file(WEB / path[len("/desk/"):])
        if path.startswith("/_fake_auth/"):
            return self._fake_auth(req, method, path, url.query)
        if path == "/_fake_x/by_hand":
            return self._by_hand(req, method)
        if path == "/_fake_x/intent/post":  # the page the browser tests route x.com/intent/post to
            page = _FAKE_INTENT_PAGE.replace("__HARNESS__", self.url).replace(
                "__REPLY_TO__", _safe(parse_qs(url.query).get("in_reply_to", [""])[0]))
            return req.send_bytes(200, "text/html; charset=utf-8", page.encode())
        agent = self.auth.who(req.headers.get("Authorization"))
        if agent is None:
            return req.send_json(401, {"message": "Unauthorized"})  # as API Gateway's JWT authorizer
        if path == "/me":
            return req.send_json(200, {"username": agent, "roles": STAFF[agent]})
        if method == "POST" and path.startswith("/inquiries/") and path.endswith("/reassign"):
            return self._reassign(req, agent, path.split("/")[2])
        status, headers, body = self._proxy(req, method, agent)
        if path == "/figures" and status == 200 and "supervisors" not in STAFF[agent]:
            figures = json.loads(body)
            figures["agents"] = {k: v for k, v in figures["agents"].items() if k == agent}
            body = json.dumps(figures, ensure_ascii=False).encode()
        req.send_bytes(status, headers.get("content-type", "application/json"), body)

    def _proxy(self, req: _Request, method: str, agent: str) -> tuple[int, dict[str, str], bytes]:
        length = int(req.headers.get("Content-Length") or 0)
        data = req.rfile.read(length) if length else None
        resp = requests.request(method, self.api.url + req.path, data=data, timeout=60,
                                headers={AGENT_HEADER: agent, "Content-Type": "application/json"})
        return resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, resp.content

    def _fake_auth(self, req: _Request, method: str, path: str, query: str) -> None:
        if path == "/_fake_auth/authorize" and method == "GET":
            q = parse_qs(query)
            if q.get("response_type") != ["code"] or q.get("code_challenge_method") != ["S256"]:
                return req.send_json(400, {"error": "unsupported_response_type"})
            page = _SIGN_IN_PAGE.replace("__Q__", _safe(query))
            return req.send_bytes(200, "text/html; charset=utf-8", page.encode())
        if path == "/_fake_auth/authorize" and method == "POST":
            form = req.form()
            username = form.get("username", "").strip()
            q = {k: v[0] for k, v in parse_qs(form.get("q", "")).items()}
            if username not in STAFF:
                page = _SIGN_IN_PAGE.replace("__Q__", _safe(form.get("q", ""))).replace(
                    "開発用のサインイン画面です（本番は Cognito）。", "ユーザー名が違います。")
                return req.send_bytes(200, "text/html; charset=utf-8", page.encode())
            code = self.auth.issue_code(username, {"redirect_uri": q.get("redirect_uri", ""),
                                                   "code_challenge": q.get("code_challenge", "")})
            return req.redirect(q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")}))
        if path == "/_fake_auth/token" and method == "POST":
            status, body = self.auth.token(req.form())
            return req.send_json(status, body)
        if path == "/_fake_auth/logout":
            target = parse_qs(query).get("logout_uri", ["/desk/"])[0]
            return req.redirect(target)
        return req.send_json(404, {"error": "no such fake auth route"})

    def _by_hand(self, req: _Request, method: str) -> None:
        if method == "OPTIONS":
            return req.send_bytes(204, "text/plain", b"")
        data = json.loads(req.rfile.read(int(req.headers.get("Content-Length") or 0)) or b"{}")
        posted = self.send_by_hand("https://x.com/intent/post?" + urlencode(data))
        return req.send_json(201, {"data": posted})

    def _reassign(self, req: _Request, agent: str, inquiry_id: str) -> None:
        if "supervisors" not in STAFF[agent]:
            return req.send_json(403, {"error": "only supervisors reassign inquiries", "code": "forbidden"})
        body = json.loads(req.rfile.read(int(req.headers.get("Content-Length") or 0)) or b"{}")
        to = str(body.get("to") or "")
        if to not in STAFF:
            return req.send_json(400, {"error": f"no staff member {to!r}", "code": "bad_agent"})
        desk = self.desk
        current = desk.show(inquiry_id)["inquiry"]["claimed_by"]
        if current:
            desk.inquiries.release(inquiry_id, current)
        result = desk.claim(inquiry_id, to)
        self.reassigned.append((inquiry_id, current or "", to))
        return req.send_json(200, {**result, "reassigned_from": current})


def _inquiry_of(h: WebDeskHarness, tweet_id: str) -> str:
    """The inquiry a tweet belongs to (the inquiry id, or a later message of its conversation)."""
    for ids in h.seeded.ids.values():
        if tweet_id in ids:
            return tweet_id
    for inq in _all_inquiries():
        if tweet_id in inq.tweet_ids:
            return inq.inquiry_id
    return tweet_id


def _all_inquiries() -> Iterator[Any]:
    from activecare.storage.models import Inquiry

    yield from Inquiry.scan()


_seq = iter(range(1, 10_000_000))


def _tweet(at: datetime, text: str, author: str) -> dict[str, Any]:
    tid = snowflake(at, next(_seq))
    return {"id": tid, "text": text, "author_id": author, "created_at": iso_z(at), "conversation_id": tid,
            "lang": "ja"}


def _safe(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_TRICKLE = (
    ("haru_", "@ac_signal 地下鉄でずっと圏外。アンテナが立たない"),
    ("sora_", "Wi-Fiが急に遅くなった。ルーター再起動しても変わらない"),
    ("kai_", "@ac_help 請求額がいつもより高いです。料金の内訳を知りたい"),
    ("nana_", "スマホのモバイルデータが繋がらない。通信障害ですか？"),
    ("yuto_", "@ac_help ショップの予約が取れない。機種変更したいのに"),
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], harness: WebDeskHarness) -> None:
        super().__init__(address, _Request)
        self.harness = harness


class _Request(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header tells the simulated time (the desk reads the server's clock from it)."""
        from email.utils import format_datetime

        return format_datetime(self.server.harness.clock().astimezone(UTC), usegmt=True)

    def do_GET(self) -> None:
        self._run("GET")

    def do_POST(self) -> None:
        self._run("POST")

    def do_OPTIONS(self) -> None:
        self._run("OPTIONS")

    def _run(self, method: str) -> None:
        try:
            self.server.harness.handle(self, method)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a page closed mid-poll)
        except Exception as exc:
            self.send_json(500, {"error": repr(exc), "code": "harness_error"})

    def form(self) -> dict[str, str]:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        return {k: v for k, v in parse_qsl(raw, keep_blank_values=True)}

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_json(self, status: int, body: Any) -> None:
        self.send_bytes(status, "application/json", json.dumps(body, ensure_ascii=False).encode())

    def send_bytes(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if self.path.startswith("/_fake_x/"):
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def send_file(self, path: Path) -> None:
        path = path.resolve()
        if WEB.resolve() not in path.parents or not path.is_file():
            return self.send_json(404, {"error": "not found", "code": "no_route"})
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        self.send_bytes(200, kind, path.read_bytes())


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def screenshots(h: WebDeskHarness, out: Path) -> list[Path]:
    """The desk as the docs show it (1440x900, Debian's Chromium): desk_queue.png (the queue and a returning
    customer's inquiry with a template picked), desk_inquiry.png (an active-support find prepared as an intent link)."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    made = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 900}, locale="ja-JP").new_page()
        page.goto(h.url + "/desk/")
        page.fill("#username", "sato")
        page.click("button[type=submit]")
        page.wait_for_selector(".qrow")

        def settle(path: Path) -> None:
            page.wait_for_timeout(300)
            page.wait_for_function("() => !document.querySelector('.toast')", timeout=10_000)
            page.mouse.move(0, 899)
            page.screenshot(path=str(path))
            made.append(path)

        page.click(f'.qrow[data-id="{h.seeded.last("tanaka_k")}"]')
        page.wait_for_selector("#tweet")
        page.keyboard.press("c")
        page.wait_for_selector("#held-banner")
        page.click('#templates .tpl[data-key="signal_check"]')
        settle(out / "desk_queue.png")
        page.click(f'.qrow[data-id="{h.seeded.last("hiro_cafe")}"]')
        page.wait_for_selector("#context li")
        page.click('#templates .tpl[data-key="wifi_router"]')
        page.click("#send-button")
        page.wait_for_selector("#intent-step")
        page.locator("#reply-text").blur()
        settle(out / "desk_inquiry.png")
        browser.close()
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--trickle", type=float, default=0, help="a new inquiry every N seconds (0: none)")
    parser.add_argument("--screenshots", type=Path, help="write the docs' screenshots into this folder and stop")
    args = parser.parse_args(argv)
    stop = threading.Event()
    with WebDeskHarness(port=0 if args.screenshots else args.port) as h:
        h.seed()
        if args.screenshots:
            for path in screenshots(h, args.screenshots):
                print(path)
            return 0
        if args.trickle:
            threading.Thread(target=h.trickle, args=(args.trickle, stop), daemon=True).start()
        print(f"web desk: {h.url}/desk/  (sign in as sato, suzuki, tanaka, takahashi or yamada; Ctrl+C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
