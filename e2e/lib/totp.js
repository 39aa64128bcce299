// lib/totp.js: two-factor codes as an authenticator app computes them (RFC 6238: HMAC-SHA1,
// 30-second steps, 6 digits), for the tests that sign in with a second factor.
import { createHmac } from 'node:crypto';

// base32Decode reads an RFC 4648 base32 secret (spaces and padding ignored).
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.toUpperCase().replace(/[\s=]/g, '')) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

// totp is the 6-digit code of secret for the 30-second step.
export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

// stepNow is the current 30-second step.
export const stepNow = () => Math.floor(Date.now() / 30_000);
