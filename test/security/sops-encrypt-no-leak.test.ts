// No leak, asserted for encryption: every way a plain file can fail to encrypt (or an encrypted one to rotate)
// yields an error whose message, fields, cause chain and inspected form carry no plaintext value and no key.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ageIdentitiesFromText } from '../../shared/adapters/sops/age-identities.ts';
import { AgeRecipientWrapper } from '../../shared/adapters/sops/age-recipient.ts';
import type { SopsCryptRules } from '../../shared/core/sops/sops-metadata.ts';
import type { SopsFormat } from '../../shared/core/sops/store.ts';
import { encryptSopsFile, rotateSopsFile } from '../../shared/usecases/sops/encrypt-file.ts';
import { newAgeKey } from '../support/sops-keys.ts';

const SECRET = 'hunter2-encrypt-leak-canary';

function everythingSaid(err: unknown): string {
  const seen: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 10; depth++) {
    seen.push(String(e), inspect(e, { depth: 10, showHidden: true }));
    if (e instanceof Error) seen.push(e.message, e.stack ?? '', JSON.stringify({ ...e }));
    e = e instanceof Error ? e.cause : undefined;
  }
  return seen.join('\n');
}

async function failure(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('sops encryption errors never carry a value', () => {
  const cases: [string, SopsFormat, string, SopsCryptRules][] = [
    ['malformed YAML', 'yaml', `a: ${SECRET}\n  b: [${SECRET}\n`, {}],
    ['a YAML list at the top', 'yaml', `- ${SECRET}\n`, {}],
    ['malformed JSON', 'json', `{"a": "${SECRET}",`, {}],
    ['a dotenv line without =', 'dotenv', `${SECRET}\n`, {}],
    ['a broken INI section', 'ini', `[${SECRET}\n`, {}],
    ['an existing sops key', 'yaml', `a: ${SECRET}\nsops: {}\n`, {}],
    ['two crypt rules', 'yaml', `a: ${SECRET}\n`, { encryptedRegex: 'a', unencryptedSuffix: '_u' }],
    ['an invalid regex', 'yaml', `a: ${SECRET}\n`, { encryptedRegex: '(' }],
  ];
  for (const [what, format, text, rules] of cases) {
    it(`${what}: the error names no value`, async () => {
      const { recipient } = await newAgeKey();
      const err = await failure(
        encryptSopsFile(text, format, {
          file: `f.${format}`,
          recipients: [new AgeRecipientWrapper(recipient)],
          rules,
        }),
      );
      expect(everythingSaid(err)).not.toContain(SECRET);
    });
  }

  it('rotating with the wrong identity or after tampering names no value and no key', async () => {
    const right = await newAgeKey();
    const wrong = await newAgeKey();
    const dataKeyProbe = randomBytes(32);
    let first = 1;
    const out = await encryptSopsFile(`a: ${SECRET}\nb: x\n`, 'yaml', {
      file: 'r.yaml',
      recipients: [new AgeRecipientWrapper(right.recipient)],
      rules: {},
      // The first draw is the data key: known here so the errors can be searched for it.
      random: (n) => (first-- > 0 ? dataKeyProbe : randomBytes(n)),
    });
    const wrapperFor = () => new AgeRecipientWrapper(right.recipient);
    for (const [text, identity] of [
      [out, wrong.identity],
      [out.replace('b: ENC', 'b: x\nc: ENC'), right.identity],
    ] as const) {
      const err = await failure(
        rotateSopsFile(text, 'yaml', {
          file: 'r.yaml',
          sources: { age: ageIdentitiesFromText(identity) },
          wrapperFor,
        }),
      );
      const said = everythingSaid(err);
      expect(said).not.toContain(SECRET);
      expect(said).not.toContain(dataKeyProbe.toString('hex'));
      expect(said).not.toContain(dataKeyProbe.toString('base64'));
      expect(said).not.toContain(right.identity);
    }
  });
});
