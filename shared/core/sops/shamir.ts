// Shamir secret sharing over GF(2^8) as sops' fork of Vault's shamir (SPEC-SOPS §7.1): combine the key
// groups' shares into the data key, and the order in which a group's master keys are tried (§7).

/** Multiplication in GF(2^8) reduced by the AES polynomial x^8+x^4+x^3+x+1 (0x1B after the carry). */
export function gfMul(a: number, b: number): number {
  let x = a & 0xff;
  let y = b & 0xff;
  let product = 0;
  while (y > 0) {
    if (y & 1) product ^= x;
    x = x & 0x80 ? ((x << 1) ^ 0x1b) & 0xff : (x << 1) & 0xff;
    y >>= 1;
  }
  return product;
}

/** The multiplicative inverse a^254 (every non-zero a has a^255 = 1). */
function gfInverse(a: number): number {
  let result = 1;
  let base = a;
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) result = gfMul(result, base);
    base = gfMul(base, base);
  }
  return result;
}

function gfDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('division by zero in GF(2^8)');
  return a === 0 ? 0 : gfMul(a, gfInverse(b));
}

/** Lagrange interpolation of the points (xs[i], ys[i]) at x (addition is XOR). */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  let result = 0;
  for (let i = 0; i < xs.length; i++) {
    let basis = 1;
    for (let j = 0; j < xs.length; j++) {
      if (i === j) continue;
      basis = gfMul(basis, gfDiv(x ^ (xs[j] as number), (xs[i] as number) ^ (xs[j] as number)));
    }
    result ^= gfMul(ys[i] as number, basis);
  }
  return result;
}

/**
 * Rebuilds the secret from ≥2 shares, each the y-values followed by one trailing x byte. Any `threshold`
 * distinct shares give the secret; fewer give garbage, which the MAC check then refuses.
 */
export function shamirCombine(shares: readonly Uint8Array[]): Uint8Array {
  if (shares.length < 2) throw new RangeError('less than two parts cannot be used to reconstruct the secret');
  const length = (shares[0] as Uint8Array).length;
  if (length < 2) throw new RangeError('parts must be at least two bytes');
  if (shares.some((s) => s.length !== length)) throw new RangeError('all parts must be the same length');
  const xs = shares.map((s) => s[length - 1] as number);
  if (new Set(xs).size !== xs.length) throw new RangeError('duplicate part detected');
  const secret = new Uint8Array(length - 1);
  for (let i = 0; i < secret.length; i++) {
    secret[i] = interpolate(
      xs,
      shares.map((s) => s[i] as number),
      0,
    );
  }
  return secret;
}

/**
 * Splits `secret` into `parts` shares (x = index + 1, as sops writes them), any `threshold` of which
 * combine back. Randomness comes in so the core stays pure: `random(n)` returns n random bytes.
 */
export function shamirSplit(
  secret: Uint8Array,
  parts: number,
  threshold: number,
  random: (n: number) => Uint8Array,
): Uint8Array[] {
  if (threshold < 2 || parts < threshold || parts > 255) {
    throw new RangeError('threshold must be at least 2 and at most the number of parts (≤ 255)');
  }
  if (secret.length === 0) throw new RangeError('cannot split an empty secret');
  const shares = Array.from({ length: parts }, (_, i) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = i + 1;
    return share;
  });
  for (let b = 0; b < secret.length; b++) {
    const coefficients = [secret[b] as number, ...random(threshold - 1)];
    for (const share of shares) {
      const x = share[secret.length] as number;
      // Horner's rule from the highest coefficient down to the intercept.
      let y = 0;
      for (let c = coefficients.length - 1; c >= 0; c--) y = gfMul(y, x) ^ (coefficients[c] as number);
      share[b] = y;
    }
  }
  return shares;
}

/** sops.DefaultDecryptionOrder, which Flux passes (SPEC-SOPS §7, §11). */
export const FLUX_DECRYPTION_ORDER: readonly string[] = ['age', 'pgp'];

/**
 * Indices of a group's master keys in the order they are tried: a stable sort by position in
 * `decryptionOrder`, types not listed last in their group order (sops.go `sortKeyGroupIndices`).
 */
export function keyGroupOrder(
  group: readonly { type: string }[],
  decryptionOrder: readonly string[] = FLUX_DECRYPTION_ORDER,
): number[] {
  const priority = (i: number): number => {
    const p = decryptionOrder.indexOf((group[i] as { type: string }).type);
    return p === -1 ? Number.MAX_SAFE_INTEGER : p;
  };
  return group.map((_, i) => i).sort((a, b) => priority(a) - priority(b) || a - b);
}
