"""Phrase templates for the seed day, each with its ground truth.

Templates hold ``{slot}`` placeholders filled from ``SLOTS`` (a slot listed several times
is more likely). Spelling variants that the listener must cope with (ＷｉＦｉ, ﾜｲﾌｧｲ,
Ｗｉ－Ｆｉ, つながらない, ﾙｰﾀｰ ...) live in the slots. Every trouble, praise and mention
template contains at least one trouble keyword of its topic (see ``TOPIC_KEYWORDS``);
chatter contains none; noise contains keywords in a context that is not a carrier issue.
"""

from __future__ import annotations

import random
import re
from typing import Literal

Sentiment = Literal["complaint", "praise", "neutral"]
Template = tuple[str, Sentiment]

TOPICS: tuple[str, ...] = (
    "signal", "wifi", "billing", "devices", "contracts", "shops", "app_web", "sim_esim", "mail",
)

SLOTS: dict[str, tuple[str, ...]] = {
    "place": (
        "自宅", "家", "会社", "職場", "駅のホーム", "地下鉄", "新宿駅", "渋谷", "梅田", "実家",
        "マンションの部屋", "大学", "カフェ", "車の中", "山手線", "高速道路", "田舎の実家", "博多駅",
        "名古屋駅", "寝室", "病院", "ライブ会場", "スタジアム", "オフィスの会議室",
    ),
    "app": (
        "LINE", "LINE", "YouTube", "インスタ", "TikTok", "ゲーム", "地図アプリ", "PayPay", "Teams", "Zoom",
        "ネトフリ", "X", "ウマ娘", "radiko",
    ),
    "device": (
        "iPhone 15", "iPhone 16 Pro", "iPhone SE", "iPhone 13", "Pixel 8", "Pixel 9a", "Galaxy S24",
        "AQUOS sense8", "Xperia 10 V", "arrows We", "スマホ", "スマホ", "iPad", "かんたんスマホ",
    ),
    "when": (
        "朝", "昼", "夕方", "夜", "10時", "12時過ぎ", "15時", "18時半", "昨日の夜", "今朝", "お昼", "19:30",
    ),
    "hours": ("1時間", "2時間", "40分", "3時間", "1時間半", "90分"),
    "days": ("3日", "1週間", "2日", "10日"),
    "price": ("12,800円", "¥23,450", "3万円", "9,800円", "¥15,000", "2万円", "8,470円"),
    "plan": ("ミニフィットプラン", "メリハリ無制限", "20GBプラン", "3GBプラン", "無制限プラン", "家族割"),
    "carrier": ("ドコモ", "au", "楽天モバイル", "ahamo", "povo", "ワイモバイル", "LINEMO", "UQ"),
    "shop_name": (
        "駅前のショップ", "近所のショップ", "家電量販店のショップ", "イオンの中のショップ", "ショップ",
        "ショップ", "ｼｮｯﾌﾟ",
    ),
    "wifi": (
        "Wi-Fi", "Wi-Fi", "Wi-Fi", "Wi-Fi", "Wi-Fi", "Wi-Fi", "WiFi", "WiFi", "WiFi", "wifi", "wifi",
        "wifi", "Wifi", "WIFI", "ワイファイ", "ワイファイ", "ＷｉＦｉ", "ﾜｲﾌｧｲ", "Ｗｉ－Ｆｉ", "Wi−Fi",
        "ｗｉｆｉ",
    ),
    "router": (
        "ルーター", "ルーター", "ルーター", "ルーター", "ルータ", "ルータ", "ﾙｰﾀｰ", "ホームルーター",
        "ホームルーター",
    ),
    "tsunagaranai": (
        "繋がらない", "繋がらない", "繋がらない", "繋がらない", "つながらない", "つながらない", "ﾂﾅｶﾞﾗﾅｲ",
    ),
    "kengai": ("圏外",),
    "sim": ("SIM", "SIM", "SIM", "SIM", "sim", "ＳＩＭ", "ｓｉｍ"),
    "esim": ("eSIM", "eSIM", "eSIM", "eSIM", "esim", "ｅＳＩＭ", "ESIM"),
    "mypage": (
        "マイページ", "マイページ", "マイページ", "マイページ", "ﾏｲﾍﾟｰｼﾞ", "My SoftBank", "マイソフトバンク",
    ),
    "carriermail": (
        "キャリアメール", "キャリアメール", "キャリアメール", "キャリアメール", "ｷｬﾘｱﾒｰﾙ",
        "キャリアメール（@i.softbank.jp）",
    ),
    "kishuhen": ("機種変更", "機種変更", "機種変更", "機種変更", "機種変", "キシュヘン"),
    "brand": ("ソフバン", "ソフトバンク", "SB", "携帯会社", "キャリア"),
    "url": (
        "https://news.example.jp/articles/{n}", "https://t.co/{s}", "https://gadget.example.com/{n}",
        "https://example.jp/pr/{s}",
    ),
    "line": (
        "山手線", "中央線快速", "京浜東北線", "埼京線", "東急東横線", "小田急線", "京王線", "総武線各駅停車",
    ),
    "station": ("新宿", "渋谷", "池袋", "品川", "大宮", "横浜", "立川", "町田", "船橋"),
    "hhmm": ("7:42", "8:15", "9:03", "12:31", "13:58", "17:20", "18:46", "19:05", "21:37"),
    "zodiac": (
        "おひつじ座", "おうし座", "ふたご座", "かに座", "しし座", "おとめ座", "てんびん座", "さそり座",
    ),
    "ward": ("渋谷区", "新宿区", "港区", "横浜市", "大阪市北区", "名古屋市", "福岡市", "札幌市"),
    "wage": ("1,200", "1,350", "1,400", "1,500", "1,650"),
    "gb": ("20", "30", "50", "100"),
    "month": ("4", "6", "10", "12"),
    "pct": ("90", "95", "98", "99"),
}

# Keywords the listener is expected to have per topic; every trouble/praise/mention
# template of a topic carries at least one of them (checked by the tests on the NFKC,
# lower-cased, hyphen-free text).
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "signal": (
        "圏外", "電波", "繋がらない", "つながらない", "通信障害", "アンテナ", "5g", "パケ詰まり", "通話",
    ),
    "wifi": ("wifi", "ワイファイ", "ルーター", "ルータ", "光回線"),
    "billing": ("料金", "請求", "明細", "支払い", "引き落とし"),
    "devices": ("故障", "画面割れ", "割れ", "機種変", "キシュヘン", "修理", "バッテリー", "電源"),
    "contracts": ("解約", "乗り換え", "mnp", "契約", "名義変更"),
    "shops": ("ショップ", "店員", "来店予約"),
    "app_web": ("マイページ", "mysoftbank", "マイソフトバンク", "ログインできない", "ログイン"),
    "sim_esim": ("esim", "sim", "シム"),
    "mail": ("キャリアメール", "メール", "mms"),
}

TROUBLE: dict[str, tuple[Template, ...]] = {
    "signal": (
        ("{place}で{kengai}なんだけど", "complaint"),
        ("{place}だけ{kengai}になる", "complaint"),
        ("家の中なのに{kengai}", "complaint"),
        ("電波が悪い。{app}が全然開かない", "complaint"),
        ("電波悪すぎて{app}見れない", "complaint"),
        ("さっきから{tsunagaranai}。{kengai}じゃないのに", "complaint"),
        ("アンテナ立ってるのにネット{tsunagaranai}", "complaint"),
        ("5Gって出てるのに電波が悪いのか遅すぎる", "complaint"),
        ("{place}で通話が途中で切れる。電波どうなってんの", "complaint"),
        ("通信障害？{app}に{tsunagaranai}んだけど", "complaint"),
        ("{when}からずっと{kengai}", "complaint"),
        ("パケ詰まりひどい。電波はあるのに{tsunagaranai}", "complaint"),
        ("地下鉄で{kengai}になるの何とかして", "complaint"),
        ("電波が悪いせいで{app}の通話がブツブツ切れる", "complaint"),
        ("{brand}の電波、{place}だと弱すぎる", "complaint"),
        ("{place}の電波が悪いのどうにかならないの", "complaint"),
        ("アンテナ1本から{kengai}を行ったり来たり", "complaint"),
        ("電話が{tsunagaranai}。相手に聞こえてないって言われる", "complaint"),
    ),
    "wifi": (
        ("家の{wifi}が{tsunagaranai}", "complaint"),
        ("{wifi}{router}のランプが赤く点滅してる", "complaint"),
        ("{router}再起動しても{wifi}{tsunagaranai}", "complaint"),
        ("{wifi}遅すぎて{app}が止まる", "complaint"),
        ("{wifi}が{when}から急に切れる", "complaint"),
        ("光回線なのに{wifi}が遅い", "complaint"),
        ("{wifi}のパスワード入れても{tsunagaranai}", "complaint"),
        ("{router}の設定画面が開けない", "complaint"),
        ("在宅勤務なのに{wifi}死んでる", "complaint"),
        ("{wifi}つながったり切れたりでイライラ", "complaint"),
        ("{router}届いたけど{wifi}に{tsunagaranai}", "complaint"),
        ("{wifi}の速度が夜だけ遅すぎる", "complaint"),
        ("{router}から異音がする。{wifi}も不安定", "complaint"),
    ),
    "billing": (
        ("今月の料金高すぎない？", "complaint"),
        ("請求が{price}ってどういうこと", "complaint"),
        ("使ってないのに{price}も請求されてる", "complaint"),
        ("料金プラン変えたのに請求額が変わってない", "complaint"),
        ("身に覚えのない請求がある", "complaint"),
        ("料金の明細が意味不明", "complaint"),
        ("二重請求されてるんだけど", "complaint"),
        ("{plan}にしたのに料金下がってない", "complaint"),
        ("料金払ったのに督促が来た", "complaint"),
        ("請求書がまだ届かない", "complaint"),
        ("先月より料金が{price}も高い。なんで", "complaint"),
        ("請求金額おかしくない？{price}は無理", "complaint"),
    ),
    "devices": (
        ("{device}が故障した。電源入らない", "complaint"),
        ("{device}の画面割れた…修理いくらかかるの", "complaint"),
        ("画面割れでタッチが効かない", "complaint"),
        ("{device}が急に再起動を繰り返す。故障？", "complaint"),
        ("落としたら画面割れた", "complaint"),
        ("{device}のバッテリーすぐ減る。故障かな", "complaint"),
        ("故障受付のチャットが{tsunagaranai}", "complaint"),
        ("{device}に{kishuhen}したらLINEの引き継ぎ失敗した", "complaint"),
        ("{kishuhen}したらデータ消えた", "complaint"),
        ("{device}に{kishuhen}してから電池の減りが早い", "complaint"),
        ("修理に出した{device}がまだ戻ってこない。故障多すぎ", "complaint"),
        ("{kishuhen}の在庫がなくて{days}待ち", "complaint"),
    ),
    "contracts": (
        ("解約したいのに手続きがわかりにくすぎる", "complaint"),
        ("解約金高すぎ", "complaint"),
        ("{carrier}に乗り換えようとしたら手続きが面倒すぎる", "complaint"),
        ("解約の電話が{tsunagaranai}", "complaint"),
        ("乗り換えの手続きで{hours}も待たされた", "complaint"),
        ("家族割の解約条件が意味わからん", "complaint"),
        ("解約させてくれない。引き止めしつこい", "complaint"),
        ("乗り換えキャンペーンが適用されてないんだが", "complaint"),
        ("MNPの予約番号が取れない。乗り換えできない", "complaint"),
        ("オプション解約したはずなのに残ってる", "complaint"),
    ),
    "shops": (
        ("{shop_name}の店員の態度が最悪", "complaint"),
        ("{shop_name}で{hours}待ち。予約してたのに", "complaint"),
        ("{shop_name}行ったらここではできないって言われた", "complaint"),
        ("店員さんの説明がわかりにくい", "complaint"),
        ("{shop_name}の来店予約が取れない", "complaint"),
        ("店員にいらないオプション付けられた", "complaint"),
        ("{shop_name}閉まってた。営業時間変わったの？ひどい", "complaint"),
        ("{shop_name}たらい回しにされた", "complaint"),
    ),
    "app_web": (
        ("{mypage}にログインできない", "complaint"),
        ("{mypage}がエラーで開かない", "complaint"),
        ("ログインできない。パスワード何回変えても無理", "complaint"),
        ("{mypage}でプラン変更しようとしたらエラー", "complaint"),
        ("アプリ落ちる、{mypage}ログインできない", "complaint"),
        ("認証コードが来なくて{mypage}にログインできない", "complaint"),
        ("{mypage}重すぎて何もできない", "complaint"),
        ("{mypage}のデータ残量が更新されない", "complaint"),
    ),
    "sim_esim": (
        ("{esim}の再発行ができない", "complaint"),
        ("{esim}に切り替えたら電話使えない", "complaint"),
        ("{sim}カードを認識しない", "complaint"),
        ("{sim}が無効って出る", "complaint"),
        ("{esim}の開通手続きが途中で止まった", "complaint"),
        ("{esim}のQRコードが読み込めない", "complaint"),
        ("{sim}交換したのに使えない", "complaint"),
        ("{kishuhen}で{esim}移行失敗した", "complaint"),
    ),
    "mail": (
        ("{carriermail}が届かない", "complaint"),
        ("{carriermail}が受信できない", "complaint"),
        ("迷惑メール多すぎ。{carriermail}のフィルタ効いてない", "complaint"),
        ("{carriermail}送れない", "complaint"),
        ("{carriermail}のパスワード忘れてログインできない", "complaint"),
        ("{carriermail}の設定が消えた", "complaint"),
    ),
}

QUESTIONS: dict[str, tuple[Template, ...]] = {
    "signal": (
        ("{place}って5Gエリア？", "neutral"),
        ("電波の改善要望ってどこから出せるんだろ", "neutral"),
        ("{place}で{kengai}になるのって仕様？", "complaint"),  # a question, but a grumble
    ),
    "wifi": (
        ("{wifi}{router}の設定方法ってどこに載ってる？", "neutral"),
        ("{router}の交換ってどうやるの？", "neutral"),
        ("引っ越し先でも{router}そのまま使える？", "neutral"),
    ),
    "billing": (
        ("今月の料金っていつ確定するんだろ", "neutral"),
        ("請求の締め日って何日？", "neutral"),
        ("料金の支払い方法ってクレカに変えられる？", "neutral"),
    ),
    "devices": (
        ("{device}の{kishuhen}って予約いる？", "neutral"),
        ("故障したときって代替機借りられる？", "neutral"),
        ("{device}の修理って何日くらいかかる？", "neutral"),
    ),
    "contracts": (
        ("解約って{mypage}からできる？", "neutral"),
        ("乗り換えのMNP予約番号ってどこで取るの？", "neutral"),
        ("名義変更ってショップ行かないとダメ？", "neutral"),
    ),
    "shops": (
        ("ショップって予約なしでも行ける？", "neutral"),
        ("近くのショップ何時まで開いてる？", "neutral"),
        ("ショップで{esim}の手続きってできる？", "neutral"),
    ),
    "app_web": (
        ("{mypage}でデータ残量見る方法教えて", "neutral"),
        ("{mypage}のログインIDってどれ？", "neutral"),
    ),
    "sim_esim": (
        ("{esim}って{kishuhen}のときどうするの？", "neutral"),
        ("{sim}のサイズってどれ選べばいい？", "neutral"),
    ),
    "mail": (
        ("{carriermail}って{kishuhen}しても使える？", "neutral"),
        ("{carriermail}のアドレス変更ってどこから？", "neutral"),
    ),
}

PRAISE: dict[str, tuple[Template, ...]] = {
    "signal": (
        ("{place}でも{kengai}にならなくなった！改善ありがとう", "praise"),
        ("電波の改善要望出したら対応早くて感謝", "praise"),
        ("{place}の電波めっちゃ良くなってる。ありがとう", "praise"),
        ("{kengai}の件、サポートの人が丁寧に調べてくれた", "praise"),
    ),
    "wifi": (
        ("{wifi}サポートの人の説明わかりやすかった。{router}無事つながった！", "praise"),
        ("{router}交換してもらったら{wifi}爆速で快適", "praise"),
        ("{wifi}の設定、電話で教えてもらって解決。助かった", "praise"),
    ),
    "billing": (
        ("料金の相談したら安いプラン教えてくれた、助かった", "praise"),
        ("請求の間違い、すぐ返金対応してくれた。神対応", "praise"),
        ("料金プラン見直してもらって月{price}も安くなった！感謝", "praise"),
    ),
    "devices": (
        ("画面割れの修理、即日で終わった。神対応", "praise"),
        ("故障した{device}、代替機すぐ出してくれて助かりました", "praise"),
        ("{kishuhen}のデータ移行まで手伝ってくれてありがとう", "praise"),
    ),
    "contracts": (
        ("乗り換え手続きスムーズだった。ありがとう", "praise"),
        ("解約の手続き、思ったより簡単で親切だった", "praise"),
        ("契約内容の説明が丁寧でわかりやすかった", "praise"),
    ),
    "shops": (
        ("{shop_name}の店員さんめっちゃ親切だった", "praise"),
        ("{shop_name}で丁寧に教えてもらえた。ありがとうございます", "praise"),
        ("店員さんが神対応すぎた", "praise"),
    ),
    "app_web": (
        ("{mypage}にログインできない件、サポートのおかげで解決。助かりました", "praise"),
        ("{mypage}のアプリ使いやすくなってて快適", "praise"),
    ),
    "sim_esim": (
        ("{esim}の設定、チャットで丁寧に教えてもらえた。感謝", "praise"),
        ("{esim}の開通すぐ終わって感動", "praise"),
    ),
    "mail": (
        ("{carriermail}の設定、サポートの方に教えてもらってできた！ありがとうございます", "praise"),
        ("{carriermail}届かない件、すぐ解決してくれて助かった", "praise"),
    ),
}

COMPLAINT_OPENERS = (
    "", "", "", "", "", "え、", "は？", "ちょっと、", "朝から", "さっきから", "また", "なんか", "うわ、",
    "昨日から", "今日も", "何回目だよ、", "ねえ、", "まって、", "【悲報】", "誰か助けて、",
)
COMPLAINT_ENDINGS = (
    "", "", "", "。", "…", "最悪", "。最悪", "まじで困る", "ほんと困る", "いい加減にして", "ふざけんな",
    "つらい", "勘弁して", "意味わからん", "どうなってんの", "イライラする", "ありえない", "泣きそう",
    "もう無理", "詰んだ", "仕事にならん", "草", "w", "ｗｗｗ", "なんで？", "は？",
)
COMPLAINT_MARKS = (
    "", "", "", "😇", "💢", "😭", "🥲", "(´・ω・`)", "(╬ Ò﹏Ó)", "orz", "😡", "🙄", "(；ω；)", "🤬", "😩",
)
NEUTRAL_ENDINGS = ("", "", "", " 誰か知ってる？", " 教えてほしい", "？", " 調べてもよくわからん")
PRAISE_OPENERS = ("", "", "", "昨日", "さっき", "先日", "今日")
PRAISE_ENDINGS = (
    "", "", "ありがとう！", "感謝しかない", "神対応", "助かった", "最高", "また頼みます",
    "ほんとにありがとう",
)
PRAISE_MARKS = ("", "", "🙏", "✨", "😊", "(*´▽｀*)", "🥰", "👍", "🙇‍♀️", "(*^^*)")

MENTION_OPENERS = (
    "", "", "お世話になっております。", "すみません、", "質問です。", "こんにちは。", "至急です。",
)
MENTION_CLOSINGS_COMPLAINT = (
    "どうすればいいですか？", "対応お願いします。", "確認してもらえますか？", "至急お願いします",
    "何とかしてください", "", "。",
)
MENTION_CLOSINGS_NEUTRAL = ("教えてください。", "よろしくお願いします。", "", "？")
MENTION_CLOSINGS_PRAISE = ("ありがとうございました！", "本当に助かりました。", "感謝です🙏", "")

# The second trouble of a repeat customer and the thanks of a customer whose trouble was solved.
REPEAT_PREFIXES = ("まだ直らない。", "昨日の件、まだ解決してない。", "また。", "再発した。", "何回目？")
SOLVED_PREFIXES = ("さっきの件、", "朝の件、", "昨日の件、", "ようやく解決！", "")

NOISE: tuple[tuple[str, Sentiment], ...] = (
    ("好きな人の恋愛対象に私は圏外らしい", "complaint"),
    ("模試の結果、志望校は完全に圏外だった", "neutral"),
    ("今期アニメのランキング、推しの作品が圏外で泣いた😭", "complaint"),
    ("「圏外の恋」最終回よかった…", "praise"),
    ("彼からの返信がない。私の存在が圏外", "neutral"),
    ("あの人の話はいつも電波だな", "neutral"),
    ("電波ソング聴きながら作業中", "neutral"),
    ("会議の話が全然繋がらない", "neutral"),
    ("点と点が繋がらない推理小説", "neutral"),
    ("ドラマの伏線がまだ繋がらない", "neutral"),
    ("カフェの{wifi}で作業中☕", "neutral"),
    ("新幹線の{wifi}使ってみた", "neutral"),
    ("{wifi}マークの形のクッキー焼いた", "neutral"),
    ("電気料金また上がるらしい", "neutral"),
    ("駐車場の料金高すぎ", "complaint"),
    ("タクシー料金が深夜で2倍", "neutral"),
    ("請求書作って今日の仕事終わり", "neutral"),
    ("請求書の締め切りに追われてる", "neutral"),
    ("水道料金の請求来た", "neutral"),
    ("エアコン故障した、暑い", "complaint"),
    ("車の故障で今日は電車", "neutral"),
    ("テレビの画面割れた、子どもがリモコン投げた", "complaint"),
    ("ゲームの機種変更コード控えてなくて詰んだ", "complaint"),
    ("ジムの解約完了", "neutral"),
    ("サブスク解約し忘れてた", "neutral"),
    ("渋谷で乗り換え", "neutral"),
    ("乗り換え案内アプリ便利", "praise"),
    ("新宿駅の乗り換え迷路すぎ", "neutral"),
    ("ポケモンショップ行ってきた", "neutral"),
    ("ショップ限定グッズゲット", "neutral"),
    ("カフェの店員さんが優しかった", "praise"),
    ("コンビニの店員さん神対応だった", "praise"),
    ("ゲームにログインできない、メンテ長い", "complaint"),
    ("ファンクラブのマイページ見たら当選してた！", "neutral"),
    ("海外旅行用の{sim}買った", "neutral"),
    ("SIMフリーのタブレット欲しい", "neutral"),
    ("上司のメールが長い", "neutral"),
    ("キャリアメール時代の絵文字懐かしい", "neutral"),
    ("推しの配信、{wifi}ルーター新しくしたら画質良くなった", "praise"),
    ("電波時計が合わない", "neutral"),
    ("iPhone 16の新色かわいい、機種変更しようかな", "neutral"),
)

NEWS: tuple[tuple[str, Sentiment], ...] = (
    ("【速報】大手携帯キャリアで通信障害 一部地域で繋がりにくい状態 {url}", "neutral"),
    ("新型スマホ発表、価格は{price}から {url}", "neutral"),
    ("携帯料金の値下げ競争、各社の新プランを比較 {url}", "neutral"),
    ("総務省、解約金の上限規制を見直しへ {url}", "neutral"),
    ("eSIM対応端末が拡大、乗り換えがより簡単に {url}", "neutral"),
    ("電気料金、{month}月から値上げ {url}", "neutral"),
    ("5Gエリア、年度末に人口カバー率{pct}%へ {url}", "neutral"),
    ("キャリアメール持ち運びサービス、利用者が増加 {url}", "neutral"),
    ("iPhone 16の画面割れ修理費用まとめ {url}", "neutral"),
    ("【解説】Wi-Fi 7対応ルーターは買いか {url}", "neutral"),
    ("携帯ショップの閉店相次ぐ オンライン手続きが主流に {url}", "neutral"),
    ("{line}で車両故障、運転見合わせ {url}", "neutral"),
)

BOT: dict[str, tuple[tuple[str, Sentiment], ...]] = {
    "train_info_bot": (
        ("【運行情報】{line}は{hhmm}頃、{station}駅での信号故障の影響で、一部列車に遅れが出ています。",
        "neutral"),
        ("【運行情報】{line}は{hhmm}頃、車両故障の影響で運転を見合わせています。振替輸送・乗り換えをご利用ください。",
         "neutral"),
        ("【運行情報】{line}は平常通り運転しています。({hhmm}現在)", "neutral"),
    ),
    "kyujin_navi_bot": (
        ("【求人】携帯ショップスタッフ募集！時給{wage}円〜 {ward} 未経験OK #求人 #ショップ店員", "neutral"),
        ("【急募】家電量販店の携帯コーナー店員 時給{wage}円 交通費支給 #求人", "neutral"),
        ("【求人】コールセンター(料金・請求のお問い合わせ) 時給{wage}円〜 お問合せ 0120-555-014 #求人",
        "neutral"),
    ),
    "uranai_daily_bot": (
        ("【今日の運勢】{zodiac} ★★★☆☆ ラッキーアイテムは{wifi}ルーター。電波の悪い場所は避けて吉",
        "neutral"),
        ("【今日の運勢】{zodiac} ★★☆☆☆ 連絡が繋がらない時は焦らずに。ラッキーカラーは青", "neutral"),
    ),
    "otoku_pr_bot": (
        ("#PR 格安SIMに乗り換えで月額990円〜！今なら{gb}GB増量 {url}", "neutral"),
        ("【PR】光回線＋Wi-Fiルーターセットで工事費実質0円 {url}", "neutral"),
        ("#PR 機種変更するなら今！iPhone 15が一括{price} {url}", "neutral"),
    ),
    "denki_price_bot": (
        ("【電気料金】本日のスポット価格 東京エリア 平均{wage}銭/kWh", "neutral"),
        ("【電気料金】{month}月の燃料費調整額が発表されました {url}", "neutral"),
    ),
    "gadget_sale_bot": (
        ("【タイムセール】Wi-Fi 6ルーターが{price} 20%OFF {url}", "neutral"),
        ("【タイムセール】Pixel 8a 画面割れ防止フィルム 980円 {url}", "neutral"),
    ),
    "tsushin_status_bot": (
        ("【自動】{hhmm}現在、通信障害の報告は増えていません #通信障害", "neutral"),
        ("【自動】{hhmm}現在「圏外」を含む投稿が増加中 #通信障害", "neutral"),
    ),
}

CHATTER: tuple[tuple[str, Sentiment], ...] = (
    ("今日のランチはカレー🍛", "neutral"), ("眠い", "neutral"), ("おはよう☀️", "neutral"),
    ("仕事終わった〜", "neutral"), ("猫かわいい🐈", "neutral"), ("お腹すいた", "neutral"),
    ("髪切った", "neutral"), ("課題が終わらん", "neutral"), ("今日も一日お疲れさまでした", "neutral"),
    ("コンビニの新作スイーツ食べた", "neutral"), ("雨やばい☔", "neutral"), ("電車混みすぎ", "neutral"),
    ("明日休みだ！", "neutral"), ("推しが尊い", "neutral"), ("ラーメン食べたい", "neutral"),
    ("映画見てきた、最高だった", "praise"), ("月曜日つらい", "complaint"), ("部屋の片付けしよ", "neutral"),
    ("洗濯物干した", "neutral"), ("今日は在宅", "neutral"), ("会議多すぎて死ぬ", "complaint"),
    ("コーヒー飲んで目を覚ます", "neutral"), ("週末どこ行こうかな", "neutral"), ("筋トレした💪", "neutral"),
    ("新刊買えた", "neutral"), ("バイト行ってくる", "neutral"), ("寝る", "neutral"),
    ("おやすみ〜", "neutral"), ("夜ごはん何にしよう", "neutral"),
    ("ライブのチケット当たった！嬉しい", "praise"), ("花粉つらい", "complaint"),
    ("散歩してきた🌸", "neutral"), ("昼寝しすぎた", "neutral"), ("草", "neutral"), ("それな", "neutral"),
    ("今日はいい天気", "neutral"), ("お弁当作った", "neutral"), ("帰りにパン屋寄った🥐", "neutral"),
    ("ゲームのイベント周回中", "neutral"), ("ドラマの続きが気になる", "neutral"), ("もう金曜か", "neutral"),
    ("満員電車つらすぎ", "complaint"), ("美容院予約した", "neutral"), ("あと少しで定時", "neutral"),
)
CONTEXT_BEFORE = (
    ("これから出かける", "neutral"), ("今日は一日外回り", "neutral"), ("新幹線乗った", "neutral"),
    ("やっと家着いた", "neutral"), ("出張で大阪来てる", "neutral"), ("今から動画見る", "neutral"),
    ("在宅勤務はじめ", "neutral"), ("実家に帰ってきた", "neutral"),
)
CONTEXT_AFTER = (
    ("とりあえず様子見", "neutral"), ("もう寝る", "neutral"), ("ご飯食べて落ち着いた", "neutral"),
    ("明日また試してみる", "neutral"), ("今日は疲れた", "neutral"), ("気分転換に散歩", "neutral"),
    ("公式の返事待ち", "neutral"), ("返事待ち", "neutral"),
)
FRIEND_REPLIES = (
    ("え、大丈夫？", "neutral"), ("それはつらい…", "complaint"), ("再起動してみた？", "neutral"),
    ("わかる、うちも前そうだった", "neutral"), ("お疲れ…", "neutral"), ("まじか", "neutral"),
    ("サポートに聞いてみたら？", "neutral"), ("公式に問い合わせた方が早いかも", "neutral"),
)
CHATTER_REPLIES = (
    ("それな", "neutral"), ("おつかれ〜", "neutral"), ("行きたい！", "neutral"), ("わかる", "neutral"),
    ("いいね", "neutral"), ("おはよう！", "neutral"), ("草", "neutral"), ("ありがとう！", "praise"),
)
SELF_CONTINUATIONS = (
    ("再起動してもだめだった", "complaint"), ("まだ直らない…", "complaint"),
    ("(続き)もう諦めた", "complaint"),
    ("明日まで直らなかったら困る", "complaint"), ("追記：色々試したけど無理だった", "complaint"),
)

_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, rng: random.Random) -> str:
    """Fill every ``{slot}`` of ``template`` with a random choice from ``SLOTS``."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "n":
            return str(rng.randrange(10_000, 999_999))
        if name == "s":
            return "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                           for _ in range(10))
        return _SLOT.sub(one, rng.choice(SLOTS[name]))

    return _SLOT.sub(one, template)
