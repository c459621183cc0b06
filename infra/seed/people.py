"""Synthetic X users for the seed day: ordinary people, news accounts, bots and the
support accounts themselves, as X API v2 user objects."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from activecare.accounts import SupportAccount
from activecare.clock import iso_z
from activecare.twitter.snowflake import snowflake

FAMILY = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
    "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "森", "池田", "橋本", "石川",
)
GIVEN = (
    "太郎", "翔太", "大輔", "健", "拓也", "蓮", "湊", "悠真", "陽翔", "優斗", "花子", "美咲", "さくら",
    "陽菜", "結衣", "葵", "凛", "真央", "彩", "愛", "ゆうき", "あかり", "ひなた", "みゆ", "そら",
)
NICK = (
    "たろう", "しょーた", "だいすけ", "けん", "たくや", "れん", "みなと", "ゆうま", "はると", "ゆうと",
    "はなこ", "みさき", "さくら", "ひな", "ゆい", "あおい", "りん", "まお", "あや", "あい", "ゆうき",
    "あかり", "ひなた", "みゆ", "そら", "ぽん", "もち", "くま", "ねこ", "こむぎ", "ぴよ", "うさ",
)
ROMAJI = (
    "taro", "shota", "daisuke", "ken", "takuya", "ren", "minato", "yuma", "haruto", "yuto", "hanako",
    "misaki", "sakura", "hina", "yui", "aoi", "rin", "mao", "aya", "ai", "yuki", "akari", "hinata",
    "miyu", "sora", "pon", "mochi", "kuma", "neko", "komugi", "piyo", "usa", "tanaka", "sato", "suzuki",
)
DECOR = (
    "", "", "", "", "🍜", "☕", "🐈", "🌸", "⚽", "🎮", "📷", "@低浮上", "@在宅勤務", "@社会人3年目", "🐾",
    "（受験生）", "＠がんばる", "💤", "🍺", "✈",
)
ROMAJI_SUFFIX = ("", "", "_", "_jp", "0", "_tw", "_x", "chan", "123", "_official_fan", "_2525", "_ooo")


@dataclass(frozen=True)
class Persona:
    """A fixed account the seed day reuses (news outlet or bot)."""

    username: str
    name: str
    description: str
    followers: int


NEWS_ACCOUNTS: tuple[Persona, ...] = (
    Persona("mobile_news_jp", "ケータイニュース速報", "携帯・通信業界のニュースをお届け", 182_000),
    Persona("gadget_watch_jp", "ガジェットウォッチ", "スマホ・ガジェットの最新情報", 96_500),
    Persona("keizai_sokuho", "経済ニュース速報", "経済・マーケットの速報", 240_000),
    Persona("local_news_kanto", "関東ローカルニュース", "関東の地域ニュース", 53_200),
    Persona("tech_trend_jp", "テックトレンド", "IT・通信の話題をまとめて配信", 71_800),
)
BOT_ACCOUNTS: tuple[Persona, ...] = (
    Persona("train_info_bot", "運行情報bot", "首都圏の運行情報を自動投稿します（非公式）", 35_000),
    Persona("kyujin_navi_bot", "求人ナビbot", "新着求人を自動でお知らせ #求人", 8_400),
    Persona("uranai_daily_bot", "今日の占いbot", "毎日の12星座占いを自動投稿", 21_000),
    Persona("otoku_pr_bot", "お得情報まとめ【PR】", "お得なキャンペーン情報 #PR", 12_300),
    Persona("denki_price_bot", "電気料金ウォッチbot", "電力価格を自動でお知らせ", 4_100),
    Persona("gadget_sale_bot", "タイムセール通知bot", "ガジェットのセール情報を自動投稿", 15_700),
    Persona("tsushin_status_bot", "通信障害まとめbot", "各社の障害情報を自動集計（非公式）", 9_900),
)

_EARLIEST = datetime(2011, 1, 1, tzinfo=UTC)


def user_object(
    user_id: str,
    username: str,
    name: str,
    created_at: datetime,
    *,
    followers: int,
    following: int,
    tweets: int,
    description: str = "",
    verified: bool = False,
) -> dict:
    """One X API v2 user object."""
    return {
        "id": user_id,
        "username": username,
        "name": name,
        "created_at": iso_z(created_at),
        "description": description,
        "protected": False,
        "verified": verified,
        "public_metrics": {
            "followers_count": followers,
            "following_count": following,
            "tweet_count": tweets,
            "listed_count": followers // 200,
        },
    }


class UserFactory:
    """Creates unique users (ids are snowflakes of their creation time)."""

    def __init__(self, rng: random.Random, before: datetime, reserved_ids: Sequence[str] = ()) -> None:
        self._rng = rng
        self._latest = before - timedelta(days=7)
        self._span = (self._latest - _EARLIEST).total_seconds()
        self._taken_names: set[str] = set()
        self._taken_ids: set[str] = set(reserved_ids)
        self._serial = 0
        self.users: list[dict] = []

    def _new_id(self, created: datetime) -> str:
        while True:
            self._serial += 1
            uid = snowflake(created, self._serial & 0xFFF, (self._serial >> 12) & 0x3FF)
            if uid not in self._taken_ids:
                self._taken_ids.add(uid)
                return uid

    def _unique_name(self, base: str) -> str:
        name = base[:15]
        while name in self._taken_names:
            name = f"{base[:11]}{self._rng.randrange(10_000):04d}"
        self._taken_names.add(name)
        return name

    def add(self, username: str, name: str, *, followers: int, description: str = "",
            created: datetime | None = None, verified: bool = False) -> dict:
        """Add one user; the username is made unique if needed."""
        rng = self._rng
        if created is None:
            created = _EARLIEST + timedelta(seconds=rng.random() * self._span)
        user = user_object(
            self._new_id(created),
            self._unique_name(username),
            name,
            created,
            followers=followers,
            following=int(rng.lognormvariate(5.0, 1.0)),
            tweets=int(rng.lognormvariate(7.5, 1.3)),
            description=description,
            verified=verified,
        )
        self.users.append(user)
        return user

    def add_support(self, account: SupportAccount) -> dict:
        """The support account itself, with its real (configured) id."""
        user = user_object(
            account.user_id,
            account.username,
            {"general": "サポート公式", "signal": "電波サポート公式", "wifi": "Wi-Fiサポート公式"}.get(
                account.key, "サポート公式"),
            datetime(2012, 4, 1, tzinfo=UTC),
            followers=410_000,
            following=120,
            tweets=180_000,
            description="お問い合わせにお答えします。受付 9:00〜20:00",
            verified=True,
        )
        self._taken_names.add(account.username)
        self._taken_ids.add(account.user_id)
        self.users.append(user)
        return user

    def add_persona(self, persona: Persona) -> dict:
        return self.add(persona.username, persona.name, followers=persona.followers,
                        description=persona.description)

    def add_person(self) -> dict:
        """An ordinary person with a Japanese display name and a romaji handle."""
        rng = self._rng
        style = rng.random()
        if style < 0.45:
            name = rng.choice(NICK) + rng.choice(DECOR)
        elif style < 0.7:
            name = rng.choice(FAMILY) + rng.choice(("", " ")) + rng.choice(GIVEN)
        elif style < 0.85:
            name = rng.choice(ROMAJI).capitalize() + rng.choice(DECOR)
        else:
            name = rng.choice(GIVEN) + "@" + rng.choice(("趣味垢", "日常", "雑記", "ゲーム垢", "仕事垢"))
        handle = rng.choice(ROMAJI) + rng.choice(ROMAJI_SUFFIX)
        if rng.random() < 0.6:
            handle += str(rng.randrange(1, 10_000))
        followers = int(rng.lognormvariate(4.6, 1.4))
        return self.add(handle, name, followers=followers)
