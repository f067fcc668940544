// Webhook authentication: HMAC-SHA256 over the raw body, compared in constant time. Accepts GitHub's
// `sha256=<hex>` header form and a bare hex digest.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function verifyHmacSignature(body: Uint8Array, secret: string, header: string | undefined): boolean {
  if (!header || !secret) return false;
  const provided = header.startsWith('sha256=') ? header.slice('sha256='.length) : header;
  if (!/^[0-9a-f]{64}$/i.test(provided)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(provided, 'hex'));
}

export function signBody(body: Uint8Array | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
