// ECDSA over NIST P-256 on a caller-supplied 32-byte digest (KMS MessageType DIGEST), which node:crypto
// cannot do because it always hashes; BigInt curve arithmetic plus DER signature encoding/decoding.

import { randomBytes } from 'node:crypto';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

/** Jacobian coordinates (x = X/Z², y = Y/Z³); Z = 0 is the point at infinity. */
interface Jacobian {
  x: bigint;
  y: bigint;
  z: bigint;
}

const INFINITY: Jacobian = { x: 1n, y: 1n, z: 0n };

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** Inverse modulo a prime (both P and N are prime). */
const invert = (a: bigint, m: bigint): bigint => modPow(a, m - 2n, m);

function double(p: Jacobian): Jacobian {
  if (p.z === 0n || p.y === 0n) return INFINITY;
  // dbl-2001-b, for curves with a = -3.
  const delta = (p.z * p.z) % P;
  const gamma = (p.y * p.y) % P;
  const beta = (p.x * gamma) % P;
  const alpha = mod(3n * (p.x - delta) * (p.x + delta), P);
  const x = mod(alpha * alpha - 8n * beta, P);
  const z = mod((p.y + p.z) ** 2n - gamma - delta, P);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, P);
  return { x, y, z };
}

function add(p: Jacobian, q: Jacobian): Jacobian {
  if (p.z === 0n) return q;
  if (q.z === 0n) return p;
  const pz2 = (p.z * p.z) % P;
  const qz2 = (q.z * q.z) % P;
  const u1 = (p.x * qz2) % P;
  const u2 = (q.x * pz2) % P;
  const s1 = (p.y * qz2 * q.z) % P;
  const s2 = (q.y * pz2 * p.z) % P;
  if (u1 === u2) return s1 === s2 ? double(p) : INFINITY;
  const h = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  const h2 = (h * h) % P;
  const h3 = (h2 * h) % P;
  const x = mod(r * r - h3 - 2n * u1 * h2, P);
  const y = mod(r * (u1 * h2 - x) - s1 * h3, P);
  const z = (h * p.z * q.z) % P;
  return { x, y, z };
}

function multiply(point: Jacobian, scalar: bigint): Jacobian {
  let result = INFINITY;
  for (let bit = BigInt(scalar.toString(2).length - 1); bit >= 0n; bit--) {
    result = double(result);
    if ((scalar >> bit) & 1n) result = add(result, point);
  }
  return result;
}

function affineX(p: Jacobian): bigint | undefined {
  if (p.z === 0n) return undefined;
  const zInv = invert(p.z, P);
  return (p.x * zInv * zInv) % P;
}

const G: Jacobian = { x: GX, y: GY, z: 1n };

export const bytesToBigInt = (bytes: Uint8Array): bigint =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

function randomScalar(): bigint {
  for (;;) {
    const k = bytesToBigInt(randomBytes(32));
    if (k > 0n && k < N) return k;
  }
}

/** Signs a 32-byte digest with private scalar `d`; returns a DER `ECDSA-Sig-Value`. */
export function signDigest(d: bigint, digest: Uint8Array): Buffer {
  const z = bytesToBigInt(digest);
  for (;;) {
    const k = randomScalar();
    const x = affineX(multiply(G, k));
    if (x === undefined) continue;
    const r = x % N;
    if (r === 0n) continue;
    const s = mod(invert(k, N) * (z + r * d), N);
    if (s === 0n) continue;
    return encodeDer(r, s);
  }
}

/** Verifies a DER signature over a 32-byte digest against the public point (qx, qy). */
export function verifyDigest(qx: bigint, qy: bigint, digest: Uint8Array, signature: Uint8Array): boolean {
  const decoded = decodeDer(signature);
  if (!decoded) return false;
  const { r, s } = decoded;
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  if (mod(qy * qy - (qx * qx * qx - 3n * qx + B), P) !== 0n) return false;
  const z = bytesToBigInt(digest);
  const w = invert(s, N);
  const point = add(multiply(G, mod(z * w, N)), multiply({ x: qx, y: qy, z: 1n }, mod(r * w, N)));
  const x = affineX(point);
  return x !== undefined && x % N === r;
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

export function encodeDer(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** Strict DER: SEQUENCE of two positive minimal INTEGERs, short-form lengths (P-256 sigs are < 128 bytes). */
export function decodeDer(sig: Uint8Array): { r: bigint; s: bigint } | undefined {
  const buf = Buffer.from(sig);
  if (buf.length < 8 || buf[0] !== 0x30 || buf[1] !== buf.length - 2) return undefined;
  const values: bigint[] = [];
  let at = 2;
  for (let i = 0; i < 2; i++) {
    if (buf[at] !== 0x02) return undefined;
    const len = buf[at + 1] ?? 0;
    const start = at + 2;
    if (len === 0 || len > 33 || start + len > buf.length) return undefined;
    const bytes = buf.subarray(start, start + len);
    if ((bytes[0] ?? 0) & 0x80) return undefined;
    if (len > 1 && bytes[0] === 0 && !((bytes[1] ?? 0) & 0x80)) return undefined;
    values.push(bytesToBigInt(bytes));
    at = start + len;
  }
  if (at !== buf.length) return undefined;
  return { r: values[0] ?? 0n, s: values[1] ?? 0n };
}
