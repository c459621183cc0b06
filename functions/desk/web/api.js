// The desk API on the same origin: JSON in and out, the bearer token on every call, errors as ApiError with
// the server's machine code. The API sits at the root of the origin the desk is served from (/desk/ is the
// desk itself), so under a path prefix (an API Gateway stage) the prefix is kept.

import * as auth from './auth.js';

export const ROOT = location.pathname.replace(/\/desk(\/.*)?$/, '');

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || (status === 0 ? 'network' : `http_${status}`);
  }
}

// The server's clock, from each response's Date header: service hours follow the desk's time, not the PC's.
let skewMs = 0;
export function serverNow() { return new Date(Date.now() + skewMs); }

function noteServerTime(resp) {
  const date = resp.headers.get('Date');
  const at = date ? Date.parse(date) : NaN;
  if (!Number.isNaN(at)) skewMs = at - Date.now();
}

async function send(method, path, body, query) {
  const url = new URL(ROOT + path, location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  const headers = { Accept: 'application/json', Authorization: `Bearer ${auth.accessToken()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ApiError(0, { error: 'network error', code: 'network' });
  }
}

/** api('GET', '/inquiries', {query}) / api('POST', '/inquiries/1/reply', {body}) -> {status, data}. */
export async function api(method, path, { body, query } = {}) {
  let resp = await send(method, path, body, query);
  if (resp.status === 401 && (await auth.refreshNow())) resp = await send(method, path, body, query);
  if (resp.status === 401) {
    await auth.signIn();  // the session has ended: sign in again and come back here
    throw new ApiError(401, { error: 'signed out', code: 'signed_out' });
  }
  noteServerTime(resp);
  let data = null;
  try { data = await resp.json(); } catch { data = null; }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return { status: resp.status, data };
}

export const get = (path, query) => api('GET', path, { query }).then((r) => r.data);
export const post = (path, body = {}) => api('POST', path, { body });

export async function loadConfig() {
  const resp = await fetch(`${ROOT}/desk/config.json`, { cache: 'no-store' });
  if (!resp.ok) throw new Error(`config.json: HTTP ${resp.status}`);
  noteServerTime(resp);
  return resp.json();
}
