// A Secret's record in the store (what substituteFrom, valuesFrom, decryption keys and source credentials
// read) holds its values sealed for its cluster; ConfigMaps stay readable. Keys and names stay readable.
import { SluiceError } from '../errors.ts';
import type { ConfigRecord } from '../pipeline/records.ts';
import { isSealed, type SecretCipher } from './secret-cipher.ts';
import type { WrappedKey } from './wrapped-key.ts';

function place(cluster: string, r: ConfigRecord, key: string): string {
  return `config\0${cluster}\0${r.kind}/${r.namespace}/${r.name}\0${key}`;
}

export function sealConfig(
  cluster: string,
  record: ConfigRecord,
  cipher: SecretCipher,
  key: WrappedKey,
): ConfigRecord {
  if (record.kind !== 'Secret') return record;
  const data = Object.fromEntries(
    Object.entries(record.data).map(([k, v]) => [
      k,
      cipher.seal(Buffer.from(v, 'utf8'), place(cluster, record, k)),
    ]),
  );
  return { ...record, data, seal: key };
}

/** The record with its values open; a Secret record that is not sealed is refused (never trusted as written). */
export function openConfig(cluster: string, record: ConfigRecord, cipher: SecretCipher): ConfigRecord {
  const what = `the stored record of Secret ${record.namespace}/${record.name} in cluster ${cluster}`;
  const data = Object.fromEntries(
    Object.entries(record.data).map(([k, v]) => {
      if (!isSealed(v))
        throw new SluiceError(
          'DecryptionFailed',
          `${what}: value ${k} is not sealed; it will be written again at the next render`,
        );
      return [k, cipher.open(v, place(cluster, record, k), what).toString('utf8')];
    }),
  );
  const { seal: _seal, ...rest } = record;
  return { ...rest, data };
}
