import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signedHeaders, webhookSigningKey } from './webhook-signature.js';

const SECRET = 'webhook-secret-0123456789';
const BODY = JSON.stringify({ event: 'drill.succeeded', drill: { id: 'd-1' } });
const DELIVERY = '0b7c1f3e-6f0a-4c1e-9a55-2f4d0f6a9e11';

/** What a receiver configures its Standard Webhooks verifier with for a plain-text WEBHOOK_SECRET. */
const receiverSecret = (text: string) => `whsec_${Buffer.from(text, 'utf8').toString('base64')}`;

describe('webhook signatures', () => {
  it('signs a delivery that an off-the-shelf Standard Webhooks verifier accepts', () => {
    const headers = signedHeaders(SECRET, DELIVERY, BODY, new Date());
    expect(new Webhook(receiverSecret(SECRET)).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(headers['webhook-id']).toBe(DELIVERY);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('gets a captured delivery replayed later refused, and a tampered body', () => {
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    const verifier = new Webhook(receiverSecret(SECRET));
    expect(() => verifier.verify(BODY, signedHeaders(SECRET, DELIVERY, BODY, tenMinutesAgo))).toThrow('Message timestamp too old');
    expect(() => verifier.verify(BODY.replace('succeeded', 'failed'), signedHeaders(SECRET, DELIVERY, BODY, new Date()))).toThrow(
      'No matching signature found',
    );
  });

  it('keeps the id of a delivery across its attempts and signs each attempt at its own time', () => {
    const first = signedHeaders(SECRET, DELIVERY, BODY, new Date(1_700_000_000_000));
    const retry = signedHeaders(SECRET, DELIVERY, BODY, new Date(1_700_000_004_500));
    expect(retry['webhook-id']).toBe(first['webhook-id']);
    expect([first['webhook-timestamp'], retry['webhook-timestamp']]).toEqual(['1700000000', '1700000004']);
    expect(retry['webhook-signature']).not.toBe(first['webhook-signature']);
  });

  it('still sends the deprecated headers: the hex HMAC of the body and the delivery id', () => {
    const headers = signedHeaders(SECRET, DELIVERY, BODY, new Date());
    expect(headers['x-redis-drill-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`);
    expect(headers['x-redis-drill-delivery']).toBe(DELIVERY);
  });

  it('reads a whsec_ secret as base64, as Standard Webhooks libraries do, and refuses one that is not', () => {
    const generated = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    expect(new Webhook(generated).verify(BODY, signedHeaders(generated, DELIVERY, BODY, new Date()))).toEqual(JSON.parse(BODY));
    expect(() => webhookSigningKey('whsec_not base64!')).toThrow('starts with whsec_ but the rest is not base64');
    expect(() => webhookSigningKey('whsec_')).toThrow('not base64');
  });
});
