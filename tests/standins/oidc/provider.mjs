// A real OpenID Connect provider (panva/node-oidc-provider, OpenID certified) for the hub's login
// tests. Usage: node provider.mjs CONFIG.json [--exit-on-stdin-close]  (or OIDC_PROVIDER_CONFIG=…)
//
// CONFIG.json: {"port": 0, "clients": [{client_id, client_secret, redirect_uris}],
//               "users": [{username, password, email, name, groups}]}
// Port 0 lets the system pick a free port, so concurrent test sessions never race for one; the
// ready line tells the caller where it landed: "oidc-provider ready http://127.0.0.1:PORT".
//
// It is as close to a production set-up as a test allows: its own login page instead of the
// development interactions, explicit keys and lifetimes, PKCE checked whenever a client sends a
// code_challenge. Consent is granted on the users' behalf: every client here is first-party.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { promisify } from 'node:util';

// A fresh RSA key takes 0.2-0.4 s, about as long as loading oidc-provider: the key is made on
// libuv's thread pool while the import runs, instead of after it.
const rsaKey = promisify(crypto.generateKeyPair)('rsa', { modulusLength: 2048 });
const { default: Provider, errors } = await import('oidc-provider');

const args = process.argv.slice(2);
const configPath = args.find((arg) => !arg.startsWith('--')) ?? process.env.OIDC_PROVIDER_CONFIG;
if (!configPath) {
  console.error('usage: node provider.mjs CONFIG.json [--exit-on-stdin-close]');
  process.exit(2);
}
const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
const users = new Map((config.users ?? []).map((user) => [user.username, user]));

const escape = (value) => String(value ?? '').replace(
  /[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
);

const page = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main>${body}</main></body></html>`;

// The provider keeps its state in memory, like its own quick-start adapter, but without that
// adapter's warning on every start: a test provider lives for one test session only.
const store = new Map();
const epochTime = () => Math.floor(Date.now() / 1000);
class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    store.set(this.key(id), { payload, expiresAt: expiresIn ? epochTime() + expiresIn : Infinity });
  }

  async find(id) {
    const entry = store.get(this.key(id));
    if (!entry) return undefined;
    if (entry.expiresAt <= epochTime()) {
      store.delete(this.key(id));
      return undefined;
    }
    return entry.payload;
  }

  async #findBy(field, value) {
    for (const [key, { payload }] of store) {
      if (key.startsWith(`${this.model}:`) && payload[field] === value) {
        return this.find(key.slice(this.model.length + 1));
      }
    }
    return undefined;
  }

  findByUid(uid) {
    return this.#findBy('uid', uid);
  }

  findByUserCode(userCode) {
    return this.#findBy('userCode', userCode);
  }

  async consume(id) {
    const payload = await this.find(id);
    if (payload) payload.consumed = epochTime();
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const [key, { payload }] of store) {
      if (payload.grantId === grantId) store.delete(key);
    }
  }
}

async function findAccount(_ctx, sub) {
  const user = users.get(sub);
  if (!user) return undefined;
  return {
    accountId: sub,
    // the provider filters these by the granted scopes and claims
    async claims() {
      return {
        sub,
        preferred_username: user.username,
        name: user.name ?? user.username,
        email: user.email ?? `${user.username}@example.org`,
        email_verified: true,
        groups: user.groups ?? [],
      };
    },
  };
}

// Consent without a page: the grant covers whatever OpenID scopes and claims the client asks for.
// A grant the session already holds is widened, so a later request for more scopes never stops
// at a consent prompt either.
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
  const grant = (grantId && await oidc.provider.Grant.find(grantId))
    || new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.account.accountId });
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  grant.addOIDCClaims([...oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

async function renderError(ctx, out, error) {
  console.error(`error page: ${JSON.stringify(out)}${error?.stack ? `\n${error.stack}` : ''}`);
  ctx.type = 'html';
  ctx.body = page('Sign-in error', `<h1>Sign-in error</h1>${Object.entries(out)
    .map(([key, value]) => `<p><strong>${escape(key)}</strong>: ${escape(value)}</p>`).join('')}`);
}

const { privateKey } = await rsaKey;
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };

// Listening first (port 0) tells us the port the issuer URL must name; the provider is attached
// before anyone can learn the port from the ready line.
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(config.port ?? 0), '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  adapter: MemoryAdapter,
  clients: config.clients ?? [],
  clientDefaults: {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
  },
  findAccount,
  loadExistingGrant,
  renderError,
  jwks: { keys: [signingKey] },
  // signed cookies; plain http on 127.0.0.1 works because secure cookies are only asked for
  // when the request itself came over TLS
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  // the scope claims go into the ID token as well, not only to the userinfo endpoint
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
  },
  interactions: {
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  clientBasedCORS: () => false,
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 86400,
    Interaction: 600,
    Session: 86400,
    Grant: 86400,
  },
});

for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error']) {
  provider.on(event, (_ctx, error) => {
    console.error(`${event}: ${error.message}${error.error_detail ? ` (${error.error_detail})` : ''}`);
  });
}

function loginPage(uid, { username = '', error = '' } = {}) {
  return page('Sign in', `<h1>Sign in</h1>
${error ? `<p id="error" role="alert">${escape(error)}</p>` : ''}
<form id="login-form" method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" type="text" value="${escape(username)}" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button id="submit" type="submit">Sign in</button>
</form>`);
}

async function formBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new errors.InvalidRequest('request body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The interaction routes: the login form (GET) and its submission (POST).
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(ctx.path);
  if (!match) return next();
  ctx.set('cache-control', 'no-store');
  const [, uid, login] = match;
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (error) {
    if (!(error instanceof errors.SessionNotFound)) throw error;
    ctx.status = 400;
    return renderError(ctx, { error: error.message, error_description: error.error_description });
  }
  if (details.uid !== uid || details.prompt.name !== 'login') {
    ctx.status = 400;
    return renderError(ctx, { error: 'invalid_request', error_description: `unexpected prompt ${details.prompt.name}` });
  }
  if (ctx.method === 'GET' && !login) {
    ctx.type = 'html';
    ctx.body = loginPage(uid);
    return undefined;
  }
  if (ctx.method !== 'POST' || !login) return next();

  const form = await formBody(ctx.req);
  const username = form.get('username') ?? '';
  const user = users.get(username);
  if (!user || user.password !== form.get('password')) {
    // not a 2xx, so a client that only checks the status still sees the failure
    ctx.status = 401;
    ctx.set('www-authenticate', 'Form');
    ctx.type = 'html';
    ctx.body = loginPage(uid, { username, error: 'Wrong username or password.' });
    return undefined;
  }
  return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: username } }, {
    mergeWithLastSubmission: false,
  });
});

server.on('request', provider.callback());
console.log(`oidc-provider ready ${issuer}`);

// The parent's pipe closing means the test run is gone, even when it was killed too hard to stop us.
if (args.includes('--exit-on-stdin-close')) {
  process.stdin.on('data', () => {});
  process.stdin.on('close', () => process.exit(0));
}
process.on('SIGTERM', () => process.exit(0));
