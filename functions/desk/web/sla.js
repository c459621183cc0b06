// The response-time target of a queue row (activecare.sla on the server: service time only): time left, or by how
// much it is over. The server computes it; this only words it.

import { setText } from './dom.js';

const KIND_JA = { direct: '直接', search: '検索' };

export function slaChip(el, item) {
  const left = item.sla_left_minutes;
  el.hidden = !item.sla_kind || (left === null && !item.sla_breached);
  if (el.hidden) return;
  const kind = KIND_JA[item.sla_kind] || item.sla_kind;
  let text;
  if (item.sla_breached) text = left === null ? 'SLA超過' : `SLA超過 ${Math.ceil(-left)}分`;
  else text = `残り${Math.floor(left)}分`;
  setText(el, text);
  el.className = `sla${item.sla_breached ? ' breached' : left <= 5 ? ' soon' : ''}`;
  el.title = `目標: ${kind} ${item.sla_target_minutes}分以内（受付時間のみ数えます）`;
}
