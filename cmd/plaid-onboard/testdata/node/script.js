'use strict';
// Drives `plaid-onboard emulator` with Plaid's official Node client, as a user's app would, and
// prints one JSON object of what it saw for emulator_node_test.go to check.
// Usage: node script.js URL CLIENT_ID SECRET
const { Configuration, PlaidApi } = require('plaid');

const [url, clientId, secret] = process.argv.slice(2);
if (!url || !clientId || !secret) {
  console.error('usage: node script.js URL CLIENT_ID SECRET');
  process.exit(2);
}

const client = new PlaidApi(new Configuration({
  basePath: url,
  baseOptions: {
    headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret },
    timeout: 10000,
  },
}));

// plaidError is the body and status of a failed call, as Plaid's Node client exposes them.
function plaidError(err) {
  if (!err.response) {
    throw err;
  }
  return { http_status: err.response.status, ...err.response.data };
}

async function exchangeError(publicToken) {
  try {
    await client.itemPublicTokenExchange({ public_token: publicToken });
    return { unexpected: 'the exchange succeeded' };
  } catch (err) {
    return plaidError(err);
  }
}

// webhooks points the Item at a receiver on 127.0.0.1, fires NEW_ACCOUNTS_AVAILABLE, and
// verifies each webhook as Plaid's guide says: ES256 JWT, key by kid, body SHA-256.
async function webhooks(accessToken) {
  const http = require('http');
  const crypto = require('crypto');
  const got = [];
  let arrived;
  const both = new Promise((resolve) => { arrived = resolve; });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ body: Buffer.concat(chunks), jwt: req.headers['plaid-verification'] || '' });
      res.end('ok');
      if (got.length === 2) arrived();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hookURL = `http://127.0.0.1:${server.address().port}/plaid`;
  await client.itemWebhookUpdate({ access_token: accessToken, webhook: hookURL });
  const fired = await client.sandboxItemFireWebhook({ access_token: accessToken, webhook_code: 'NEW_ACCOUNTS_AVAILABLE' });
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no 2 webhooks within 20s')), 20000); });
  await Promise.race([both, timeout]);
  clearTimeout(timer);
  server.close();
  server.closeAllConnections(); // the emulator keeps its connection alive; the script must end
  const seen = [];
  for (const w of got) {
    const [h, p, sig] = w.jwt.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const key = (await client.webhookVerificationKeyGet({ key_id: header.kid })).data.key;
    const publicKey = crypto.createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x, y: key.y }, format: 'jwk' });
    const signed = crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
    const bodyHash = crypto.createHash('sha256').update(w.body).digest('hex');
    const payload = JSON.parse(w.body.toString());
    seen.push({
      webhook_code: payload.webhook_code, alg: header.alg, signed,
      body_hash_matches: bodyHash === claims.request_body_sha256,
      age_seconds: Math.floor(Date.now() / 1000) - claims.iat,
    });
  }
  seen.sort((a, b) => a.webhook_code.localeCompare(b.webhook_code));
  return { fired: fired.data.webhook_fired, seen };
}

async function main() {
  const out = {};
  const link = await client.linkTokenCreate({
    client_name: 'node test',
    language: 'en',
    country_codes: ['US'],
    user: { client_user_id: 'node-test-user' },
    products: ['auth'],
  });
  out.link_token_prefix = link.data.link_token.split('-').slice(0, 2).join('-');
  out.link_token_expiration = link.data.expiration;

  const pub = await client.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: ['auth'] });
  const exchanged = await client.itemPublicTokenExchange({ public_token: pub.data.public_token });
  out.item_id = exchanged.data.item_id;

  const auth = await client.authGet({ access_token: exchanged.data.access_token });
  out.accounts = auth.data.accounts.map((a) => ({
    account_id: a.account_id, name: a.name, mask: a.mask,
    available: a.balances.available, current: a.balances.current,
  }));
  out.ach = auth.data.numbers.ach;
  out.auth_item_id = auth.data.item.item_id;

  // A public token is single-use.
  out.second_exchange = await exchangeError(pub.data.public_token);

  // Webhooks: a receiver of its own, the emulator's signed webhooks, and their JWTs verified
  // with Node's crypto against /webhook_verification_key/get.
  out.webhooks = await webhooks(exchanged.data.access_token);
  // Sandbox's custom user: the configuration is the password
  // (https://plaid.com/docs/sandbox/user-custom/), its numbers come back from /auth/get, and
  // force_error fails the Item's creation.
  const config = {
    override_accounts: [{
      type: 'depository', subtype: 'checking', starting_balance: 55.5,
      meta: { name: 'Node Checking' }, numbers: { account: '1212121212', ach_routing: '322271627' },
    }],
  };
  const custom = await client.sandboxPublicTokenCreate({
    institution_id: 'ins_109508', initial_products: ['auth'],
    options: { override_username: 'user_custom', override_password: JSON.stringify(config) },
  });
  const customItem = await client.itemPublicTokenExchange({ public_token: custom.data.public_token });
  const customAuth = await client.authGet({ access_token: customItem.data.access_token });
  out.user_custom = {
    name: customAuth.data.accounts[0].name,
    current: customAuth.data.accounts[0].balances.current,
    ach: customAuth.data.numbers.ach,
  };
  try {
    await client.sandboxPublicTokenCreate({
      institution_id: 'ins_109508', initial_products: ['auth'],
      options: { override_username: 'user_custom', override_password: JSON.stringify({ force_error: 'ITEM_LOCKED' }) },
    });
    out.user_custom_force_error = { unexpected: 'the Item was created' };
  } catch (err) {
    out.user_custom_force_error = plaidError(err);
  }

  // The control API: 31 minutes later, a fresh public token has expired.
  const fresh = await client.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: ['auth'] });
  const advanced = await fetch(`${url}/_emulator/clock/advance?by=31m`, { method: 'POST' });
  out.clock = { http_status: advanced.status, ...(await advanced.json()) };
  out.expired_exchange = await exchangeError(fresh.data.public_token);

  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
