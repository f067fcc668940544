// The embedded control plane's credentials, generated on first start and kept in the data directory
// (mode 0600): SigV4 keys for its SQS/S3 server (its own, one per cluster puller) and its Git server's token.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface StoreCredentials {
  controlPlane: AccessKey;
  /** One per declared cluster, for its puller. */
  clusters: Record<string, AccessKey>;
}

export const STORE_CREDENTIALS_FILE = 'store-credentials.json';
export const GIT_TOKEN_FILE = 'git-token';
export const API_TOKEN_FILE = 'api-token';
/** The user name the Git server expects with its token. */
export const GIT_USER = 'sluice';

function newKey(): AccessKey {
  return {
    accessKeyId: `SLU${randomBytes(10).toString('hex').toUpperCase().slice(0, 17)}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}

/** Loads the store's keys, adding one per newly declared cluster; keys of undeclared clusters stay on file, unused. */
export function loadOrCreateStoreCredentials(dataDir: string, clusters: string[]): StoreCredentials {
  const path = join(dataDir, STORE_CREDENTIALS_FILE);
  const existing = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as StoreCredentials)
    : undefined;
  const creds: StoreCredentials = {
    controlPlane: existing?.controlPlane ?? newKey(),
    clusters: { ...existing?.clusters },
  };
  let changed = !existing;
  for (const cluster of clusters) {
    if (creds.clusters[cluster]) continue;
    creds.clusters[cluster] = newKey();
    changed = true;
  }
  if (changed) writeFileSync(path, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return creds;
}

export function loadOrCreateToken(dataDir: string, file: string): string {
  const path = join(dataDir, file);
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    return readFileSync(path, 'utf8').trim();
  }
  const token = randomBytes(24).toString('hex');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}
