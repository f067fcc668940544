import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gfMul, keyGroupOrder, shamirCombine, shamirSplit } from '../../../../shared/core/sops/shamir.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));

describe('GF(2^8) with the AES polynomial', () => {
  it.each([
    [0x53, 0xca, 0x01],
    [0x57, 0x83, 0xc1],
    [0x57, 0x13, 0xfe],
    [0x00, 0xff, 0x00],
    [0x01, 0xab, 0xab],
  ])('%i · %i = %i', (a, b, product) => {
    expect(gfMul(a, b)).toBe(product);
    expect(gfMul(b, a)).toBe(product);
  });
});

describe('shamirCombine', () => {
  const secret = new Uint8Array(randomBytes(32));

  it('rebuilds the data key from every subset of threshold shares', () => {
    const shares = shamirSplit(secret, 4, 3, random);
    expect(shares.every((s) => s.length === 33)).toBe(true);
    expect(shares.map((s) => s[32])).toEqual([1, 2, 3, 4]);
    for (const subset of [
      [0, 1, 2],
      [1, 2, 3],
      [0, 2, 3],
      [3, 1, 0],
      [0, 1, 2, 3],
    ]) {
      expect(Buffer.from(shamirCombine(subset.map((i) => shares[i] as Uint8Array)))).toEqual(
        Buffer.from(secret),
      );
    }
  });

  it('gives something else than the secret from fewer shares than the threshold', () => {
    const shares = shamirSplit(secret, 3, 3, random);
    expect(Buffer.from(shamirCombine([shares[0] as Uint8Array, shares[1] as Uint8Array]))).not.toEqual(
      Buffer.from(secret),
    );
  });

  it('combines a hand-computed 2-of-2 split: y = s + a·x at x = 1 and 2', () => {
    // s = 0x42, a = 0x07: y(1) = 0x42 ^ 0x07 = 0x45, y(2) = 0x42 ^ gfMul(0x07, 2) = 0x42 ^ 0x0e = 0x4c.
    expect([...shamirCombine([Uint8Array.of(0x45, 1), Uint8Array.of(0x4c, 2)])]).toEqual([0x42]);
  });

  it.each([
    ['one share', [Uint8Array.of(1, 1)]],
    ['shares of different lengths', [Uint8Array.of(1, 1), Uint8Array.of(1, 2, 2)]],
    ['two shares with the same x', [Uint8Array.of(1, 1), Uint8Array.of(2, 1)]],
    ['shares too short to hold a byte', [Uint8Array.of(1), Uint8Array.of(2)]],
  ])('refuses %s', (_, shares) => {
    expect(() => shamirCombine(shares)).toThrow(RangeError);
  });
});

describe('keyGroupOrder (Flux: sops.DefaultDecryptionOrder = age, pgp)', () => {
  const group = (...types: string[]) => types.map((type) => ({ type }));

  it.each([
    ['age before pgp', group('pgp', 'age'), [1, 0]],
    ['age and pgp before kms, kms keeps its place among the rest', group('kms', 'pgp', 'age'), [2, 1, 0]],
    ['unlisted types in group order', group('kms', 'hc_vault', 'gcp_kms', 'age'), [3, 0, 1, 2]],
    ['stable among equals', group('age', 'pgp', 'age', 'pgp'), [0, 2, 1, 3]],
    ['empty group', group(), []],
  ])('%s', (_, g, expected) => {
    expect(keyGroupOrder(g)).toEqual(expected);
  });

  it('follows an explicit order (SOPS_DECRYPTION_ORDER)', () => {
    expect(keyGroupOrder(group('age', 'pgp', 'kms'), ['kms', 'pgp'])).toEqual([2, 1, 0]);
  });
});
