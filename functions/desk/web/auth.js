// Staff sign-in: OAuth 2.0 authorization code flow with PKCE (S256) against config.auth (Cognito's hosted UI on
// AWS, a stand-in locally). The callback is /desk/callback (the same index.html). Tokens live in sessionStorage
// (this tab only, gone when it closes); the access token is refreshed shortly before it expires; when the
// session cannot be renewed the user signs in again and comes back to the same place in the desk.

const SESSION = 'activecare.desk.session';
const PENDING = 'activecare.desk.pkce';
const RETURN_TO = 'activecare.desk.return';
const SIGNED_OUT = 'activecare.desk.signed_out';
const REFRESH_BEFORE_MS = 60_000;

let cfg = null;
let timer = null;
let refreshing = null;

function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(n = 32) { return b64url(crypto.getRandomValues(new Uint8Array(n))); }

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

function load() {
  try { return JSON.parse(sessionStorage.getItem(SESSION) || 'null'); } catch { return null; }
}

function save(tokens, previous) {
  const session = {
    access_token: tokens.access_token,
    id_token: tokens.id_token || previous?.id_token || null,
    refresh_token: tokens.refresh_token || previous?.refresh_token || null,  // Cognito keeps the old one
    expires_at: Date.now() + (Number(tokens.expires_in) || 3600) * 1000,
  };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  schedule(session);
  return session;
}

function schedule(session) {
  clearTimeout(timer);
  if (!session?.refresh_token) return;
  const wait = Math.max(1000, session.expires_at - Date.now() - REFRESH_BEFORE_MS);
  timer = setTimeout(() => { refreshNow(); }, wait);
}

async function tokenRequest(fields) {
  const resp = await fetch(cfg.auth.token_url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ client_id: cfg.auth.client_id, ...fields }),
    cache: 'no-store',
  });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok || !data.access_token) throw new Error(data.error_description || data.error || `token ${resp.status}`);
  return data;
}

export function accessToken() { return load()?.access_token || ''; }

/** Renew the access token with the refresh token; false when the session cannot be renewed. */
export function refreshNow() {
  const session = load();
  if (!session?.refresh_token) return Promise.resolve(false);
  if (!refreshing) {
    refreshing = tokenRequest({ grant_type: 'refresh_token', refresh_token: session.refresh_token })
      .then((tokens) => { save(tokens, session); return true; })
      .catch(() => { sessionStorage.removeItem(SESSION); return false; })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

/** Go to the sign-in page; after it the desk returns to `returnTo` (default: where the user is now). */
export async function signIn(returnTo = location.hash) {
  clearTimeout(timer);
  sessionStorage.removeItem(SESSION);
  sessionStorage.removeItem(SIGNED_OUT);
  const verifier = randomString(48);
  const state = randomString(24);
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier }));
  sessionStorage.setItem(RETURN_TO, returnTo || '');
  const url = new URL(cfg.auth.authorize_url);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: cfg.auth.client_id, redirect_uri: cfg.auth.redirect_uri,
    scope: cfg.auth.scope || 'openid', state, code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
  return new Promise(() => {});  // the page is leaving
}

export function signOut() {
  clearTimeout(timer);
  sessionStorage.removeItem(SESSION);
  sessionStorage.setItem(SIGNED_OUT, '1');
  const back = cfg.auth.redirect_uri.replace(/\/callback$/, '');  // .../desk, the client's logout URL
  const url = new URL(cfg.auth.logout_url);
  url.searchParams.set('client_id', cfg.auth.client_id);
  url.searchParams.set('logout_uri', back);
  location.assign(url.toString());
}

async function finishCallback() {
  const params = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  const returnTo = sessionStorage.getItem(RETURN_TO) || '';
  sessionStorage.removeItem(RETURN_TO);
  const desk = location.pathname.replace(/\/callback$/, '');  // /desk: the page's one open address
  if (params.get('error')) throw new Error(`サインインできませんでした（${params.get('error')}）`);
  if (!pending || params.get('state') !== pending.state || !params.get('code')) {
    throw new Error('サインインの応答を確認できませんでした。もう一度サインインしてください。');
  }
  const tokens = await tokenRequest({
    grant_type: 'authorization_code', code: params.get('code'), redirect_uri: cfg.auth.redirect_uri,
    code_verifier: pending.verifier,
  });
  save(tokens, null);
  history.replaceState(null, '', desk + returnTo);
}

/** 'ready' (signed in), 'signed_out' (after sign-out: show a button) or never resolves (went to sign in). */
export async function init(config) {
  cfg = config;
  if (!cfg.auth.redirect_uri) {  // the stack does not say: the callback on the desk's own origin
    cfg.auth.redirect_uri = `${location.origin}${location.pathname.replace(/\/desk(\/.*)?$/, '')}/desk/callback`;
  }
  if (/\/callback$/.test(location.pathname)) {
    await finishCallback();
    return 'ready';
  }
  const session = load();
  if (session && session.expires_at - Date.now() > 5000) {
    schedule(session);
    return 'ready';
  }
  if (session && (await refreshNow())) return 'ready';
  if (sessionStorage.getItem(SIGNED_OUT)) return 'signed_out';
  return signIn();
}

// Background tabs throttle timers: check the token again when the desk comes back into view.
document.addEventListener('visibilitychange', () => {
  const session = load();
  if (document.visibilityState === 'visible' && session && session.expires_at - Date.now() < REFRESH_BEFORE_MS) refreshNow();
});
