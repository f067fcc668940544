// The context file lets `sluice status`/`reconcile`/`get artifact` find the control plane. Someone who can
// listen on its old port (after a crash) or write the file must not receive the API token, which opens
// artifacts and so Secrets. Against a real local HTTP server that records what it is sent.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { status } from '../../cli/commands/status.ts';
import { findControlPlane } from '../../cli/control-plane-context.ts';
import { contextFilePath, writeControlPlaneContext } from '../../embedded/control-plane-context.ts';
import { errorOf } from '../support/error-of.ts';

const TOKEN = 'api-token-canary-5d1e';
let root: string;
let server: Server;
let url: string;
let seen: (string | undefined)[];

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-cli-context-'));
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'api-token'), `${TOKEN}\n`, { mode: 0o600 });
  seen = [];
  // Stands in for whoever listens on that address now: answers status without asking for a token.
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ sources: [], clusters: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

const env = () => ({ XDG_CONFIG_HOME: join(root, 'config') });
const announce = (pid: number) =>
  writeControlPlaneContext(contextFilePath(env()), {
    apiUrl: url,
    dataDir: join(root, 'data'),
    apiTokenFile: join(root, 'data', 'api-token'),
    pid,
  });

describe('the API token', () => {
  it('is not sent to a server that does not ask for it', async () => {
    announce(process.pid);
    await status(findControlPlane({}, env()), false);
    expect(seen).toEqual([undefined]);
  });

  it("is not sent on a context left behind by a control plane that is gone (its port may be someone else's)", () => {
    // A pid no process has: the highest Linux allows is below 2^22.
    announce(2 ** 22 + 7);
    expect(errorOf(() => findControlPlane({}, env())).message).toContain('no running control plane found');
  });

  it('is not read through a context file others may write', () => {
    announce(process.pid);
    chmodSync(contextFilePath(env()), 0o666);
    expect(errorOf(() => findControlPlane({}, env())).message).toContain('is not yours alone');
  });
});
