// AgeIdentities over the `age-encryption` package: X25519 (AGE-SECRET-KEY-1…) and post-quantum hybrid
// mlkem768x25519 (AGE-SECRET-KEY-PQ-1…) identities parsed from key-file text (SOPS_AGE_KEY style).
import { armor, Decrypter } from 'age-encryption';
import { SluiceError } from '../../core/errors.ts';
import type { AgeKeyEntry } from '../../core/sops/sops-metadata.ts';
import type { AgeIdentities } from '../../ports/sops-key-source.ts';

/**
 * Parses one or more identity files: one identity per line, `#` comments and blank lines ignored
 * (sops `ParsedIdentities.Import`). `source` names where the text came from in errors (never the text).
 */
export function ageIdentitiesFromText(
  texts: readonly string[] | string,
  source = 'age key text',
): AgeIdentities {
  const identities: string[] = [];
  for (const text of typeof texts === 'string' ? [texts] : texts) {
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line)) {
        throw new SluiceError(
          'ValidationFailed',
          `${source} line ${i + 1} is not an age identity (expected AGE-SECRET-KEY-1… or AGE-SECRET-KEY-PQ-1…); SSH and plugin identities are not supported`,
        );
      }
      identities.push(line);
    });
  }
  return new PackageAgeIdentities(identities, source);
}

class PackageAgeIdentities implements AgeIdentities {
  readonly count: number;
  private readonly decrypter = new Decrypter();

  constructor(identities: readonly string[], source: string) {
    this.count = identities.length;
    for (const identity of identities) {
      try {
        this.decrypter.addIdentity(identity);
      } catch {
        // The parser's message may quote the identity: say only which source is wrong.
        throw new SluiceError(
          'ValidationFailed',
          `${source} holds an age identity that does not parse (bad checksum?)`,
        );
      }
    }
  }

  async unwrap(entry: AgeKeyEntry): Promise<Uint8Array> {
    let file: Uint8Array;
    try {
      file = armor.decode(entry.enc);
    } catch {
      throw new SluiceError('ValidationFailed', 'the enc field is not an ASCII-armored age file');
    }
    try {
      return await this.decrypter.decrypt(file, 'uint8array');
    } catch (err) {
      const message = (err as Error).message;
      if (/no identity matched/.test(message)) {
        throw new SluiceError(
          'ValidationFailed',
          `none of the ${this.count} age identities matches this recipient`,
        );
      }
      throw new SluiceError('ValidationFailed', `the age file is damaged (${message})`);
    }
  }
}
