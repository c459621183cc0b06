"""What the desk may put on X, and whether the API may post a reply or an agent must.

Personal data never goes on Twitter: a reply containing a phone number, e-mail address,
street address, contract or customer number (or a card number) is refused, and the agent
is offered the standard e-mail form reply instead.

API tiers: since Feb 2026 self-serve apps (basic, pro, pay-per-use) may reply through the
API only to a post whose author mentioned, replied to or quoted the replying account;
Enterprise may reply to any post. Anything else is prepared as an intent link that an
agent sends by hand from the account, then confirmed on the account's timeline.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from activecare.pii import find_pii

REFUSED_KINDS = frozenset({"phone", "email", "address", "contract_number", "customer_number", "credit_card"})
KIND_LABELS = {
    "phone": "電話番号", "email": "メールアドレス", "address": "住所", "contract_number": "契約番号",
    "customer_number": "お客様番号", "credit_card": "カード番号",
}
INTENT_BASE = "https://x.com/intent/post"


def personal_data(text: str) -> tuple[str, ...]:
    """The kinds of personal data in a reply text, sorted (empty: nothing found)."""
    return tuple(sorted({hit.kind for hit in find_pii(text) if hit.kind in REFUSED_KINDS}))


def engages(text: str, username: str) -> bool:
    """Does a customer's post mention @username (which lets a self-serve app reply to it)?"""
    return re.search(rf"(?<![A-Za-z0-9_])[@＠]{re.escape(username)}(?![A-Za-z0-9_])", text, re.IGNORECASE) is not None


def api_may_reply(access_level: str, *, target_text: str, account_username: str, answers_us: bool) -> bool:
    """Whether the configured access level lets the API post this reply.

    `answers_us`: the customer's post replies to one of ours in this thread."""
    if access_level == "enterprise":
        return True
    return answers_us or engages(target_text, account_username)


def intent_url(in_reply_to: str, text: str, base: str = INTENT_BASE) -> str:
    """The link an agent opens (logged in as the support account) to send the reply by hand (`base`: X's
    intent page; the local stack's stand-in for it there)."""
    return f"{base}?{urlencode({'in_reply_to': in_reply_to, 'text': text})}"
