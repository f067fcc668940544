// Embedded mode's own SOPS key: an age identity in a file created on first run with mode 0600, playing the part
// of the cloud's KMS role for fleet files (e.g. the decryption Secret itself) sealed to its recipient.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { SluiceError } from '../../core/errors.ts';
import type { AgeIdentities } from '../../ports/sops-key-source.ts';
import { ageIdentitiesFromText } from './age-identities.ts';

export interface LocalAgeKey {
  identities: AgeIdentities;
  /** `age1…`: what `sluice secrets encrypt --age` seals fleet files to. */
  recipient: string;
}

export async function loadOrCreateAgeKey(keyFile: string): Promise<LocalAgeKey> {
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
    const identity = await generateIdentity();
    const header = `# created: Sluice embedded control plane SOPS key\n# public key: ${await identityToRecipient(identity)}\n`;
    // 'wx': two processes starting at once never overwrite each other's key.
    writeFileSync(keyFile, `${header}${identity}\n`, { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(keyFile).mode & 0o777;
  if (mode & 0o077) {
    // Refuse a key others can read rather than silently decrypt with it.
    throw new SluiceError(
      'ConfigInvalid',
      `SOPS age key ${keyFile} is readable by other users (mode ${mode.toString(8)}); run chmod 600 ${keyFile}`,
    );
  }
  const text = readFileSync(keyFile, 'utf8');
  const identities = ageIdentitiesFromText(text, `SOPS age key ${keyFile}`);
  const first = text.split(/\r?\n/).find((l) => l.startsWith('AGE-SECRET-KEY-'));
  if (!first || identities.count !== 1)
    throw new SluiceError('ConfigInvalid', `SOPS age key ${keyFile} must hold exactly one age identity`);
  return { identities, recipient: await identityToRecipient(first) };
}
