import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Standard Webhooks headers: the delivery's id, the attempt's time and the signature over both and the body. */
export const ID_HEADER = 'webhook-id';
export const TIMESTAMP_HEADER = 'webhook-timestamp';
export const SIGNATURE_HEADER = 'webhook-signature';

/** @deprecated `sha256=<hex HMAC of the body>`, sent beside the Standard Webhooks headers for one release. */
export const LEGACY_SIGNATURE_HEADER = 'x-redis-drill-signature';
/** @deprecated the same value as `webhook-id`, sent for one release. */
export const LEGACY_DELIVERY_HEADER = 'x-redis-drill-delivery';

const STANDARD_SECRET_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key of the Standard Webhooks signature for `WEBHOOK_SECRET`. A `whsec_…` secret is
 * what Standard Webhooks libraries generate, so its rest is read as base64, as they read it; any
 * other text is its own UTF-8 bytes, which a receiver hands its verifier as
 * `whsec_` + the base64 of the text. Throws when a `whsec_` secret is not base64.
 */
export function webhookSigningKey(secret: string): Uint8Array {
  if (!secret.startsWith(STANDARD_SECRET_PREFIX)) {
    return new TextEncoder().encode(secret);
  }
  const encoded = secret.slice(STANDARD_SECRET_PREFIX.length);
  if (encoded === '' || !BASE64.test(encoded)) {
    throw new Error(`starts with ${STANDARD_SECRET_PREFIX} but the rest is not base64`);
  }
  return new Uint8Array(Buffer.from(encoded, 'base64'));
}

/**
 * The headers that sign one attempt at a delivery. The id stays the same across the retries of a
 * delivery, so that a receiver can drop a duplicate; the timestamp is the attempt's, so that a
 * receiver can refuse a captured request replayed later.
 */
export function signedHeaders(secret: string, deliveryId: string, body: string, attemptedAt: Date): Record<string, string> {
  return {
    [ID_HEADER]: deliveryId,
    [TIMESTAMP_HEADER]: String(Math.floor(attemptedAt.getTime() / 1000)),
    [SIGNATURE_HEADER]: new Webhook(webhookSigningKey(secret), { format: 'raw' }).sign(deliveryId, attemptedAt, body),
    [LEGACY_SIGNATURE_HEADER]: legacySignature(secret, body),
    [LEGACY_DELIVERY_HEADER]: deliveryId,
  };
}

/** `sha256=<hex HMAC-SHA256 of the raw body>` keyed with the secret's text: the signature before Standard Webhooks. */
export function legacySignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
