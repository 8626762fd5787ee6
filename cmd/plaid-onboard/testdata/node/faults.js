'use strict';
// Drives `plaid-onboard emulator` with Plaid's official Node client as an app's test of its
// error handling would: it asks the control API for ITEM_LOGIN_REQUIRED on one Item's /auth/get,
// then prints one JSON object of what the client saw, for emulator_faults_node_test.go to check.
// Usage: node faults.js URL CLIENT_ID SECRET
const { Configuration, PlaidApi } = require('plaid');

const [url, clientId, secret] = process.argv.slice(2);
if (!url || !clientId || !secret) {
  console.error('usage: node faults.js URL CLIENT_ID SECRET');
  process.exit(2);
}

const client = new PlaidApi(new Configuration({
  basePath: url,
  baseOptions: {
    headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret },
    timeout: 10000,
  },
}));

// outcome is a call's Plaid error as the Node client exposes it, or {ok: true}.
async function outcome(call) {
  try {
    await call();
    return { ok: true };
  } catch (err) {
    if (!err.response) {
      throw err;
    }
    return { http_status: err.response.status, request_id_header: err.response.headers['x-request-id'], ...err.response.data };
  }
}

async function main() {
  const link = async () => {
    const pub = await client.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: ['auth'] });
    const ex = await client.itemPublicTokenExchange({ public_token: pub.data.public_token });
    return ex.data;
  };
  const broken = await link();
  const other = await link();

  const queued = await fetch(url + '/_emulator/faults', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ path: '/auth/get', error_code: 'ITEM_LOGIN_REQUIRED', item_id: broken.item_id }),
  });
  const out = { fault: { status: queued.status, ...(await queued.json()) } };

  out.other_auth = await outcome(() => client.authGet({ access_token: other.access_token }));
  out.first_auth = await outcome(() => client.authGet({ access_token: broken.access_token }));
  out.second_auth = await outcome(() => client.authGet({ access_token: broken.access_token }));
  const item = await client.itemGet({ access_token: broken.access_token });
  out.item_error = item.data.item.error;
  const state = await (await fetch(url + '/_emulator/state')).json();
  out.states = Object.fromEntries(state.items.map((it) => [it.item_id === broken.item_id ? 'broken' : 'other', it.state]));
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
