// SopsKeyWrapper for an age recipient over the `age-encryption` package: X25519 (`age1…`) and post-quantum
// hybrid (`age1pq1…`) recipients; `enc` is the ASCII-armored age file sops writes (§7.2).
import { armor, Encrypter } from 'age-encryption';
import { SluiceError } from '../../core/errors.ts';
import type { AgeKeyEntry } from '../../core/sops/sops-metadata.ts';
import type { SopsKeyWrapper } from '../../ports/sops-key-wrapper.ts';

const RECIPIENT = /^age1(pq1)?[02-9ac-hj-np-z]+$/;

export class AgeRecipientWrapper implements SopsKeyWrapper {
  readonly describe: string;
  private readonly recipient: string;

  constructor(recipient: string) {
    // An identity pasted where a recipient belongs is a secret key: it must not be echoed into an error.
    if (/^AGE-SECRET-KEY-/i.test(recipient.trim())) {
      throw new SluiceError(
        'UsageError',
        'an age identity (AGE-SECRET-KEY-…, a private key) was given where a recipient belongs; give its public key instead (age-keygen -y KEYFILE prints it), and treat that identity as exposed if it was shared',
      );
    }
    if (!RECIPIENT.test(recipient)) {
      throw new SluiceError(
        'UsageError',
        `--age ${recipient} is not an age recipient (expected age1… or age1pq1…, from age-keygen -y)`,
      );
    }
    this.recipient = recipient;
    this.describe = `age recipient ${recipient}`;
  }

  async wrap(dataKey: Uint8Array): Promise<AgeKeyEntry> {
    const e = new Encrypter();
    try {
      e.addRecipient(this.recipient);
    } catch {
      throw new SluiceError(
        'UsageError',
        `--age ${this.recipient} is not a valid age recipient (bad checksum or length); copy it again from age-keygen -y`,
      );
    }
    // armor.encode ends with a newline, as sops' armor writer does (the YAML block scalar is `enc: |`).
    return { type: 'age', recipient: this.recipient, enc: armor.encode(await e.encrypt(dataKey)) };
  }
}
