"""Lexicon-based sentiment for Japanese support tweets."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from activecare.clock import JST
from activecare.sentiment import classify_sentiment, sentiment_cues, sentiment_scores
from infra.seed import SeedMix, generate_day

# Written by hand as people tweet, not taken from the generator's templates.
HAND_WRITTEN = [
    ("ソフバンまた圏外なんだけど何なの", "complaint"),
    ("家のWi-Fi遅すぎて在宅勤務にならない", "complaint"),
    ("電波悪すぎてLINEの通話すぐ切れる😡", "complaint"),
    ("今月の請求額おかしくない？いつもの倍なんだが", "complaint"),
    ("ショップで2時間待たされた挙句、ここじゃできませんって言われた", "complaint"),
    ("マイページにログインできないんだけど。パスワード合ってるのに", "complaint"),
    ("解約したいのに電話全然つながらん", "complaint"),
    ("機種変更したらデータ全部消えたんだが？？", "complaint"),
    ("キャリアメールが昨日から1通も届かない", "complaint"),
    ("eSIMの再発行、手続き途中でエラー出て進まない", "complaint"),
    ("ルーターのランプずっと赤点滅してる…", "complaint"),
    ("店員の態度悪すぎて二度と行かない", "complaint"),
    ("いい加減にしてほしい、毎晩この時間だけネット繋がらない", "complaint"),
    ("高い金払ってるのにこの品質はないわ", "complaint"),
    ("サポートに電話しても全然繋がらないし最悪", "complaint"),
    ("ｗｉｆｉ死んだ。再起動しても変わらん😇", "complaint"),
    ("5Gエリアのはずなのに4Gしか掴まない、困ってます", "complaint"),
    ("丁寧に対応してもらったけど結局直らなかった", "complaint"),
    ("ありがとうとか言ってる場合じゃない、早く直して", "complaint"),
    ("画面バキバキに割れた😭", "complaint"),
    ("料金プラン複雑すぎて意味わからん", "complaint"),
    ("地下鉄で全然電波入らない", "complaint"),
    ("充電の減りが早すぎる、故障かな", "complaint"),
    ("乗り換え手続きめんどくさすぎる", "complaint"),
    ("SIMカード挿したのに圏外のまま", "complaint"),
    ("auから乗り換えたけど全然電波入らなくて後悔してる", "complaint"),
    ("朝からずっと圏外で仕事にならない", "complaint"),
    ("請求書見てびっくり、オプション勝手に付いてた", "complaint"),
    ("ショップ予約したのに30分以上待たされてる", "complaint"),
    ("アプリ開くたびにエラーになる", "complaint"),
    ("My SoftBankのログイン何回やってもはじかれる", "complaint"),
    ("ホームルーター届いたけど設定うまくいかない", "complaint"),
    ("通話中にぶちぶち切れるのストレス", "complaint"),
    ("なんでこんなに料金高いの", "complaint"),
    ("修理出して3週間、まだ連絡来ない", "complaint"),
    ("新しいスマホ、画面がたまに固まる", "complaint"),
    ("ネット遅すぎて動画見れない😩", "complaint"),
    ("キャリアメールに迷惑メールばっかり来る", "complaint"),
    ("店員さんの説明が早口で全然わからなかった", "complaint"),
    ("サポートの方がめちゃくちゃ丁寧に教えてくれた、ありがとうございます！", "praise"),
    ("ショップの店員さん神対応すぎて泣いた", "praise"),
    ("家のWi-Fi、ルーター交換したら爆速になった", "praise"),
    ("圏外だったのが直った！電波改善してくれて感謝", "praise"),
    ("チャットサポートの返信早くて助かりました🙏", "praise"),
    ("昨日はつながらなくて焦ったけど、今日はサクサク快適", "praise"),
    ("料金見直してもらって月3000円安くなった、嬉しい", "praise"),
    ("機種変更スムーズに終わった、店員さんありがとう", "praise"),
    ("eSIMの設定、思ってたより簡単だった", "praise"),
    ("問い合わせたらすぐに解決した、さすが", "praise"),
    ("対応めっちゃ早かった、ありがとう", "praise"),
    ("修理1日で戻ってきた、素晴らしい", "praise"),
    ("電波良くなったね、ありがたい", "praise"),
    ("ショップのお姉さん説明分かりやすかった", "praise"),
    ("不満はないです、快適に使えてます", "praise"),
    ("サポートの人、親身になってくれて本当に助かった", "praise"),
    ("Wi-Fi快適すぎて家から出たくない", "praise"),
    ("チャットで聞いたら5分で解決した！", "praise"),
    ("ショップのスタッフさん優しかったです", "praise"),
    ("やっと電波繋がった〜ありがとう", "praise"),
    ("対応してくれた方、丁寧でした。感謝です", "praise"),
    ("今回の機種変、データ移行も全部やってもらえて楽だった", "praise"),
    ("電波の改善要望出したら本当に良くなった", "praise"),
    ("乗り換えの手続き、オンラインで簡単にできた", "praise"),
    ("機種変更の予約ってどこからできますか？", "neutral"),
    ("来週ショップ行く予定", "neutral"),
    ("新しいiPhone 16 Proにした", "neutral"),
    ("eSIMってどうやって設定するんだろ", "neutral"),
    ("今月の料金いくらだったか確認しよ", "neutral"),
    ("キャリアメールのアドレスって変えられるの？", "neutral"),
    ("家族割の条件を教えてください", "neutral"),
    ("Wi-Fiルーターの設置場所どこがいいかな", "neutral"),
    ("明日マイページで支払い方法変える", "neutral"),
    ("繋がらないわけじゃないけど、ちょっと気になる", "neutral"),
    ("電波は特に問題ないです", "neutral"),
    ("圏外になった時の対処法ってある？", "neutral"),
    ("解約するかどうか迷ってる", "neutral"),
    ("今日はショップ空いてた", "neutral"),
    ("ポケットWi-Fiレンタルした", "neutral"),
    ("明日機種変更しに行く", "neutral"),
    ("料金の支払い日っていつだっけ", "neutral"),
    ("ショップって土日混んでる？", "neutral"),
    ("eSIMに変えようか検討中", "neutral"),
    ("Wi-Fiのパスワードどこに書いてあるんだろ", "neutral"),
    ("解約金って今かからないんだっけ", "neutral"),
    ("店員さんに聞いてみる", "neutral"),
]

RULES = [
    # negation of a complaint cue
    ("繋がらないわけじゃない", "neutral"),
    ("遅いってほどじゃない", "neutral"),
    ("困ることはない", "neutral"),
    ("最近は圏外にならない", "neutral"),
    # negated praise is a complaint
    ("快適じゃない", "complaint"),
    ("全然解決しない", "complaint"),
    ("改善されてない", "complaint"),
    # rhetorical questions are not negations
    ("今月の料金高すぎない？", "complaint"),
    ("最高じゃない？", "praise"),
    # the last clause decides
    ("昨日は圏外で最悪だったけど、サポートの神対応で直った！感謝", "praise"),
    ("対応は丁寧だったけど、まだ繋がらない", "complaint"),
    ("ありがとうございました。でもまだ繋がらないです", "complaint"),
    ("ありがとう💢", "complaint"),
    # width and kana variants
    ("ＷｉＦｉが繋がらない", "complaint"),
    ("ﾜｲﾌｧｲがﾂﾅｶﾞﾗﾅｲ", "complaint"),
    ("ツナガラナイ", "complaint"),
    ("ｱﾘｶﾞﾄｳ", "praise"),
    # topic references and hypotheticals are not complaints
    ("圏外の件、サポートが丁寧に調べてくれた", "praise"),
    ("故障したときって代替機借りられる？", "neutral"),
    # headlines and ads
    ("【速報】大手携帯キャリアで通信障害 一部地域で繋がりにくい", "neutral"),
    ("#PR 格安SIMに乗り換えで最悪の請求とはさよなら", "neutral"),
    ("", "neutral"),
    ("💢", "complaint"),
    ("🙏", "praise"),
    ("おはよう", "neutral"),
]


def test_hand_written_tweets():
    wrong = [(t, want, classify_sentiment(t)) for t, want in HAND_WRITTEN if classify_sentiment(t) != want]
    accuracy = 1 - len(wrong) / len(HAND_WRITTEN)
    assert accuracy >= 0.9, f"accuracy {accuracy:.3f}; wrong: {wrong}"


@pytest.mark.parametrize(("text", "want"), RULES)
def test_rules(text, want):
    assert classify_sentiment(text) == want, sentiment_cues(text)


def test_scores_and_cues_explain_the_decision():
    complaint, praise = sentiment_scores("対応は丁寧だったけど、まだ繋がらない")
    assert complaint == 4 and praise == 2  # the clause after けど counts double
    cues = sentiment_cues("繋がらないわけじゃないけど遅い")
    assert [(c.text, c.polarity) for c in cues] == [("遅い", "complaint")]


def accuracy_by_kind(day, kinds):
    hits, totals = Counter(), Counter()
    for tweet in day.tweets:
        truth = day.truth[tweet["id"]]
        if truth.kind in kinds:
            totals[truth.kind] += 1
            hits[truth.kind] += classify_sentiment(tweet["text"]) == truth.sentiment
    return hits, totals


def test_accuracy_on_generated_customer_tweets():
    start = datetime(2026, 11, 25, 9, tzinfo=JST)
    mix = SeedMix(trouble=0.1, praise=0.04, mention=0.06)
    day = generate_day(21, start, start + timedelta(hours=11), 10_000, mix=mix)
    hits, totals = accuracy_by_kind(day, ("trouble", "praise", "mention", "chatter"))
    relevant = sum(hits[k] for k in ("trouble", "praise", "mention")) / sum(
        totals[k] for k in ("trouble", "praise", "mention")
    )
    by_sentiment = Counter(t.sentiment for t in day.truth.values() if t.relevant)
    assert min(by_sentiment.values()) >= 50
    assert relevant >= 0.85, f"relevant accuracy {relevant:.3f}"
    assert hits["chatter"] / totals["chatter"] >= 0.85
