'use strict';
// Drives `plaid-onboard emulator --fixtures DIR --seed N --state FILE` with Plaid's official Node
// client, as a team's test suite would, and prints one JSON object of what it saw for
// emulator_state_test.go to compare across a restart.
// Usage: node state.js URL CLIENT_ID SECRET FIXTURE_ACCESS_TOKEN [LINKED_ACCESS_TOKEN]
// Without LINKED_ACCESS_TOKEN it links a new Item first (the run before the restart).
const { Configuration, PlaidApi } = require('plaid');

const [url, clientId, secret, fixtureToken, linkedToken] = process.argv.slice(2);
if (!url || !clientId || !secret || !fixtureToken) {
  console.error('usage: node state.js URL CLIENT_ID SECRET FIXTURE_ACCESS_TOKEN [LINKED_ACCESS_TOKEN]');
  process.exit(2);
}

const client = new PlaidApi(new Configuration({
  basePath: url,
  baseOptions: {
    headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret },
    timeout: 10000,
  },
}));

// withoutRequestID is an answer without what differs on every call.
function withoutRequestID(data) {
  const { request_id, ...rest } = data;
  return rest;
}

async function authOf(token) {
  try {
    return withoutRequestID((await client.authGet({ access_token: token })).data);
  } catch (err) {
    if (!err.response) {
      throw err;
    }
    return { http_status: err.response.status, error_code: err.response.data.error_code };
  }
}

async function main() {
  let linked = linkedToken;
  if (!linked) {
    const pub = await client.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: ['auth'] });
    linked = (await client.itemPublicTokenExchange({ public_token: pub.data.public_token })).data.access_token;
  }
  const out = {
    linked_access_token: linked,
    fixture_auth: await authOf(fixtureToken),
    linked_auth: await authOf(linked),
    pending_auth: await authOf('access-sandbox-pending-micro-deposits'),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
