'use strict';
// A user's webhook verification, as Plaid's guide describes it
// (https://plaid.com/docs/api/webhooks/webhook-verification/), with Plaid's Node client for the
// key and Node's own crypto for the rest. The README quotes verifyWebhook;
// webhooks_trigger_test.go runs it against a JWT from `plaid-onboard webhooks sign`.
// Usage: node verify_webhook.js URL CLIENT_ID SECRET JWT BODY_FILE (exit 0: verified)
const crypto = require('crypto');
const fs = require('fs');
const { Configuration, PlaidApi } = require('plaid');

// README: node verify begin
// verifyWebhook checks the Plaid-Verification JWT against the raw body (a Buffer).
async function verifyWebhook(client, body, jwt) {
  const [h, p, sig] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  if (header.alg !== 'ES256') return false;
  const { key } = (await client.webhookVerificationKeyGet({ key_id: header.kid })).data;
  const publicKey = crypto.createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x, y: key.y }, format: 'jwk' });
  const signed = crypto.verify('sha256', Buffer.from(`${h}.${p}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  const fresh = Math.abs(Date.now() / 1000 - claims.iat) <= 5 * 60;
  const hash = Buffer.from(crypto.createHash('sha256').update(body).digest('hex'));
  const claimed = Buffer.from(String(claims.request_body_sha256));
  return signed && fresh && hash.length === claimed.length && crypto.timingSafeEqual(hash, claimed);
}
// README: node verify end

async function main() {
  const [url, clientId, secret, jwt, bodyFile] = process.argv.slice(2);
  if (!bodyFile) {
    console.error('usage: node verify_webhook.js URL CLIENT_ID SECRET JWT BODY_FILE');
    process.exit(2);
  }
  const client = new PlaidApi(new Configuration({
    basePath: url,
    baseOptions: { headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret }, timeout: 10000 },
  }));
  const ok = await verifyWebhook(client, fs.readFileSync(bodyFile), jwt);
  console.log(ok ? 'verified' : 'not verified');
  process.exit(ok ? 0 : 1);
}

main().catch((err) => { console.error(err.message); process.exit(3); });
