// The desk's Japanese vocabulary, and a Japanese message for every refusal and error code the API returns.

export const TOPIC_JA = {
  signal: '電波・圏外', mobile_data: 'モバイルデータ', voice: '通話', outage: '通信障害', wifi: 'Wi-Fi',
  home_internet: '光回線・ホームルーター', billing: '料金・請求', plans: '料金プラン', data_allowance: 'データ容量',
  contracts: '契約', sim_esim: 'SIM・eSIM', devices: '端末・故障', handset_change: '機種変更', app_web: 'アプリ・Web',
  mail: 'メール', security: 'セキュリティ', shops: 'ショップ', support_desk: 'サポート窓口', roaming: '海外ローミング',
  brand: 'ブランド', general: '一般',
};
export const DEPARTMENT_JA = {
  network: 'ネットワーク本部', home_internet: 'ホームインターネット事業部', billing: '料金・請求部',
  contracts: '契約・プラン企画部', devices: '端末事業部', digital: 'デジタルサービス部', retail: 'ショップ運営部',
  customer_care: 'カスタマーケア部',
};
export const ACCOUNT_JA = { general: '総合', signal: '電波', wifi: 'Wi-Fi' };
export const STATUS_JA = { new: '未対応', replied: '返信済み', resolved: '解決済み' };
export const OUTCOME_JA = { answered: '回答済み', email_form: 'メールフォームへご案内', no_reply_needed: '返信不要' };
export const SENTIMENT_JA = { complaint: '不満', praise: '称賛', neutral: '中立' };
export const PII_JA = {
  phone: '電話番号', email: 'メールアドレス', address: '住所・郵便番号', contract_number: '契約番号',
  customer_number: 'お客様番号', credit_card: 'カード番号',
};
export const EVENT_JA = {
  reply: '返信', prepared: '手動送信の準備', refused: '送信を拒否', override_hours: '時間外送信を許可',
  resolve: '解決', reopen: '再開', reassign: '担当変更', lift_do_not_contact: '返信不要を解除',
  mail_form: 'メールフォーム受信', mail_in: 'メール受信', mail_answer: 'メールで回答', callback: '折り返し電話',
};
export const REFUSAL_JA = {
  personal_data: '個人情報', out_of_service_hours: '受付時間外', too_long: '文字数超過', duplicate_content: '重複投稿',
  do_not_contact: '返信不要',
};
export const ROLE_JA = { supervisors: 'スーパーバイザー', agents: 'エージェント', admins: '管理者' };

export function topicLabel(topic) { return TOPIC_JA[topic] || topic || '-'; }

export function roleLabel(roles) {
  for (const r of ['admins', 'supervisors', 'agents']) if (roles.includes(r)) return ROLE_JA[r];
  return 'スタッフ';
}

export function piiList(kinds) { return (kinds || []).map((k) => PII_JA[k] || k).join('・'); }

/** The Japanese message for an API error (see api.js ApiError): what happened, and what to do. */
export function errorMessage(err) {
  const b = err.body || {};
  switch (err.code) {
    case 'personal_data':
      return `返信に個人情報（${piiList(b.kinds)}）が含まれているため送信できません。X には個人情報を投稿しません。` +
        'メールフォームのご案内に差し替えてください。';
    case 'out_of_service_hours':
      return '受付時間外のため送信できません。スーパーバイザーの許可があれば時間外でも送信できます。';
    case 'too_long':
      return `返信が長すぎます（${b.weighted_length ?? '?'} / ${b.max_weighted_length ?? 280}）。` +
        '日本語は1文字2、URLは23として数えます。';
    case 'do_not_contact':
      return b.dnc_reason === 'blocked'
        ? 'このお客様はサポートアカウントをブロックしているため返信できません。'
        : 'このお客様は返信不要（オプトアウト）を希望されています。お客様から再度お問い合わせがあるまで返信できません。' +
          '（スーパーバイザーが解除できます）';
    case 'not_do_not_contact': return 'このお客様には返信不要の記録がありません。';
    case 'claimed':
      return b.claimed_by ? `${b.claimed_by} さんが対応中です。` : '他の担当者が対応中です。';
    case 'not_claimed': return 'このお問い合わせはあなたが対応中ではありません。';
    case 'resolved': return 'このお問い合わせは解決済みです。返信するには先に再開してください。';
    case 'already_open': return 'このお問い合わせはすでに未対応の状態です。';
    case 'queue_empty': return '条件に合う未対応のお問い合わせはありません。';
    case 'unknown_inquiry': return 'お問い合わせが見つかりません（削除されたか、IDが違います）。';
    case 'token_reused': return '前回とは別の文面です。新しい返信として送り直してください。';
    case 'token_busy': return '同じ返信を送信中です。少し待ってから再送してください。';
    case 'duplicate_content':
      return 'X が重複投稿として拒否しました（このアカウントは24時間以内に同じ文面を投稿しています）。文面を少し変えて送信してください。';
    case 'x_rejected': return 'X が返信を拒否しました。文面を確認してください。';
    case 'tweet_gone':
      return 'このご投稿は削除されたか非公開になっているため返信できません。X の規約に従い、こちらの記録からも消去しました。';
    case 'author_gone':
      return 'このお客様のアカウントは X で凍結または非公開になっています。X の規約に従い、こちらの記録からも消去しました。';
    case 'x_unavailable':
      return 'X に接続できませんでした。同じ内容のまま「再送」してください（二重に投稿されることはありません）。';
    case 'not_posted_yet':
      return 'まだ X のタイムラインで返信が確認できません。リンクから送信したあと、もう一度「送信を確認」を押してください。';
    case 'unknown_client_token': return 'この返信の送信記録が見つかりません。もう一度送信してください。';
    case 'empty_text': return '返信内容が空です。';
    case 'bad_client_token': return '送信トークンが不正です。画面を再読み込みしてください。';
    case 'forbidden': return 'この操作を行う権限がありません。';
    case 'supervisors_only': return 'この操作はスーパーバイザーのみ行えます。';
    case 'override_needs_supervisor': return '受付時間外の送信はスーパーバイザーのみ行えます。';
    case 'held_by_another':
      return b.claimed_by ? `${b.claimed_by} さんが対応中のため、スーパーバイザーのみ再開できます。` : '他の担当者が対応中です。';
    case 'already_replied':
      return 'このご投稿には API で返信済みです（1つのご投稿への自動返信は1回まで）。お客様の次のご投稿をお待ちください。';
    case 'approval_in_progress': return 'スーパーバイザーが承認し、投稿中です。画面を更新してください。';
    case 'already_reviewed': return 'この返信はすでに承認または却下されています。';
    case 'unauthorized': case 'not_signed_in': return 'サインインの有効期限が切れました。もう一度サインインしてください。';
    case 'malformed_body': return '送信内容に誤りがあります。';
    case 'bad_agent': return '担当者名が正しくありません。';
    case 'no_route': return 'この機能はまだサーバーで利用できません。';
    case 'network': return 'サーバーに接続できません。ネットワークを確認してください。';
    default:
      if (err.status >= 500) return `サーバーでエラーが発生しました（${err.status}）。しばらくしてから再度お試しください。`;
      if (err.code && err.code.startsWith('bad_')) return '条件の指定に誤りがあります。';
      return `操作できませんでした（${err.status || '-'}）。`;
  }
}
