"""The public form's pages: Japanese, one column for a phone, inline CSS only (no external assets, nothing
fetched), everything shown back escaped. The form posts to its own URL (the token is the only key)."""

from __future__ import annotations

from html import escape

from activecare.mailform.models import CONTRACT_MAX, EMAIL_MAX, MESSAGE_MAX, NAME_MAX, PHONE_MAX, LinkState, Page

_CSS = """
*{box-sizing:border-box}body{margin:0;font:16px/1.7 system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",
sans-serif;color:#1f2933;background:#f5f7fa}main{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.5rem 0 1rem}label{display:block;font-weight:600;margin-top:1rem}
.opt{font-weight:400;color:#52606d;font-size:.85rem}input[type=text],input[type=email],input[type=tel],
textarea{width:100%;font:inherit;padding:.6rem;border:1px solid #9aa5b1;border-radius:6px;background:#fff}
textarea{min-height:10rem}.err{color:#b00020;font-size:.9rem;margin:.2rem 0 0}.box{background:#fff;
border-radius:8px;padding:1rem;margin:1rem 0}.consent{display:flex;gap:.5rem;align-items:flex-start;
font-weight:400}.consent input{width:1.4rem;height:1.4rem;margin-top:.2rem}button{width:100%;font:inherit;
font-weight:700;padding:.9rem;margin-top:1.2rem;border:0;border-radius:6px;background:#0b6bcb;color:#fff}
.notice{font-size:.9rem;color:#3e4c59}.alert{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fff}
"""

PRIVACY = ("ご入力いただいた個人情報（お名前・メールアドレス・電話番号・ご契約番号・お問い合わせ内容）は、"
           "本お問い合わせへの回答とご連絡のためにのみ利用し、暗号化して保管します。保管期間の経過後は削除します。"
           "法令に基づく場合を除き、ご本人の同意なく第三者に提供することはありません。")

_PROBLEMS: dict[str, tuple[int, str, str]] = {
    "unknown": (404, "このページは見つかりません",
                "URLが正しくないか、すでに無効になっています。X（旧Twitter）でサポートアカウントからお送りした"
                "URLをもう一度ご確認ください。"),
    "used": (410, "このフォームは送信済みです",
             "このURLからのお問い合わせはすでに承っております。担当者からのメールをお待ちください。"
             "追加のご連絡は、担当者からのメールにご返信ください。"),
    "expired": (410, "このURLの有効期限が切れています",
                "お手数ですが、X（旧Twitter）でサポートアカウントに改めてご連絡ください。新しいURLをお送りします。"),
}


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex\">"
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>{body}</main></body></html>")


def link_problem(state: LinkState) -> Page:
    status, title, text = _PROBLEMS.get(state, _PROBLEMS["unknown"])
    return Page(status, _page(title, f"<h1>{escape(title)}</h1><div class=\"box\"><p>{escape(text)}</p></div>"))


def too_large() -> Page:
    title = "入力内容が長すぎます"
    return Page(413, _page(title, f"<h1>{title}</h1><div class=\"box\"><p>お問い合わせ内容を"
                                  f"{MESSAGE_MAX}文字以内にして、ページを開き直してお送りください。</p></div>"))


def unreadable() -> Page:
    title = "送信内容を読み取れませんでした"
    return Page(400, _page(title, f"<h1>{title}</h1><div class=\"box\"><p>お手数ですが、ページを開き直して"
                                  "もう一度お送りください。</p></div>"))


def thanks(reference: str) -> Page:
    title = "お問い合わせを受け付けました"
    return Page(200, _page(title, (
        f"<h1>{title}</h1><div class=\"box\"><p>お問い合わせ番号: <strong>{escape(reference)}</strong></p>"
        "<p>担当者よりご入力のメールアドレスへご連絡いたします。必要に応じてお電話することがあります。</p>"
        "<p>このページは閉じていただいて問題ありません。</p></div>")))


def _field(name: str, label: str, kind: str, values: dict[str, str], errors: dict[str, str], *, maxlength: int,
           required: bool, extra: str = "") -> str:
    value = escape(values.get(name, ""), quote=True)
    opt = "" if required else " <span class=\"opt\">（任意）</span>"
    err = f"<p class=\"err\" id=\"{name}-err\">{escape(errors[name])}</p>" if name in errors else ""
    described = f" aria-describedby=\"{name}-err\" aria-invalid=\"true\"" if name in errors else ""
    req = " required" if required else ""
    return (f"<label for=\"{name}\">{label}{opt}</label>"
            f"<input type=\"{kind}\" id=\"{name}\" name=\"{name}\" value=\"{value}\" maxlength=\"{maxlength}\""
            f"{req}{described}{extra}>{err}")


def form(token: str, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Page:
    values = values or {}
    errors = errors or {}
    alert = ""
    if errors:
        items = "".join(f"<li>{escape(m)}</li>" for m in errors.values())
        alert = f"<div class=\"alert\" role=\"alert\"><p>入力内容をご確認ください。</p><ul>{items}</ul></div>"
    message = escape(values.get("message", ""))
    msg_err = f"<p class=\"err\" id=\"message-err\">{escape(errors['message'])}</p>" if "message" in errors else ""
    consent_err = (f"<p class=\"err\" id=\"consent-err\">{escape(errors['consent'])}</p>"
                   if "consent" in errors else "")
    checked = " checked" if values.get("consent") == "yes" else ""
    body = (
        "<h1>メールでのお問い合わせ</h1>"
        "<p class=\"notice\">ご契約内容の確認が必要なお問い合わせを承ります。担当者がメールでご回答します。</p>"
        f"{alert}<form method=\"post\" action=\"{escape(token, quote=True)}\" accept-charset=\"utf-8\" novalidate>"
        + _field("name", "お名前", "text", values, errors, maxlength=NAME_MAX, required=True,
                 extra=" autocomplete=\"name\"")
        + _field("email", "連絡先メールアドレス", "email", values, errors, maxlength=EMAIL_MAX, required=True,
                 extra=" autocomplete=\"email\" inputmode=\"email\"")
        + _field("phone", "電話番号", "tel", values, errors, maxlength=PHONE_MAX, required=False,
                 extra=" autocomplete=\"tel\" inputmode=\"tel\"")
        + _field("contract", "ご契約番号", "text", values, errors, maxlength=CONTRACT_MAX, required=False)
        + f"<label for=\"message\">お問い合わせ内容</label><textarea id=\"message\" name=\"message\" "
          f"maxlength=\"{MESSAGE_MAX}\" required>{message}</textarea>{msg_err}"
        + f"<div class=\"box notice\"><strong>個人情報の取り扱いについて</strong><p>{escape(PRIVACY)}</p></div>"
        + f"<label class=\"consent\"><input type=\"checkbox\" id=\"consent\" name=\"consent\" value=\"yes\"{checked}>"
          "個人情報の取り扱いに同意します</label>" + consent_err
        + "<button type=\"submit\">送信する</button></form>")
    return Page(422 if errors else 200, _page("メールでのお問い合わせ", body))
