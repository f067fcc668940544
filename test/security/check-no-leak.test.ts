// sluice check prints what failed and why for a whole fleet: the reasons come from failing renders and fetches
// of objects that hold secrets (substituteFrom, a Bucket's keys), so its table, its JSON and its stderr are
// scanned for each value, as itself and base64 at every alignment: zero hits. A planted value is found.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BucketHost, startBucketHost } from '../support/bucket-host.ts';
import { kustomizationYaml } from '../support/kustomization-yaml.ts';
import { type Evidence, scanFor } from '../support/leak-evidence.ts';
import { runCli } from '../support/run-cli.ts';

const CANARIES = {
  // Valid YAML nowhere it lands: the render fails on the substituted text.
  'substituteFrom Secret': 'CHECK-LEAK-CANARY-1-substitute-from-token: breaks: the yaml',
  'Bucket secret key': 'CHECK-LEAK-CANARY-2-bucket-secret-key',
  'Bucket access key': 'CHECKLEAKCANARY3ACCESSKEY',
};

let root: string;
let host: BucketHost;
const evidence: Evidence[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-check-leak-'));
  host = await startBucketHost('assets');
  const files: Record<string, string> = {
    'clusters/dev/secrets.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: app-secrets
  namespace: flux-system
stringData:
  TOKEN: '${CANARIES['substituteFrom Secret']}'
---
apiVersion: v1
kind: Secret
metadata:
  name: wrong-keys
  namespace: flux-system
stringData:
  accesskey: ${CANARIES['Bucket access key']}
  secretkey: ${CANARIES['Bucket secret key']}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata:
  name: denied
  namespace: flux-system
spec:
  interval: 1h
  provider: generic
  bucketName: ${host.bucket}
  endpoint: ${host.endpoint}
  insecure: true
  secretRef:
    name: wrong-keys
---
${kustomizationYaml('needs-token', {
  path: './app',
  after: '  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: app-secrets\n',
})}`,
    'app/configmap.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\ndata:\n  token: ${TOKEN}\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  execFileSync('git', ['init', '--quiet', root]);
  const args = ['check', '--path', 'clusters/dev', '--render-sandbox', 'auto', '--timeout', '2m'];
  for (const output of [[], ['--output', 'json']]) {
    const run = await runCli([...args, ...output, '--allow-source-host', host.origin], { cwd: root });
    // Both failures are reported: the scan below looks at real failure text.
    expect(run.code, run.stderr).toBe(1);
    evidence.push(
      { where: `stdout ${output.join(' ')}`, text: run.stdout },
      { where: 'stderr', text: run.stderr },
    );
  }
}, 240_000);

afterAll(async () => {
  await host?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('sluice check output', () => {
  it('reports the failing render and the refused Bucket', () => {
    const json = JSON.parse(evidence.find((e) => e.where === 'stdout --output json')?.text ?? '{}');
    const verdictOf = (kind: string, name: string) =>
      json.objects.find((o: { kind: string; name: string }) => o.kind === kind && o.name === name)?.verdict;
    expect(verdictOf('Kustomization', 'needs-token')).toBe('error');
    expect(verdictOf('Bucket', 'denied')).toBe('error');
  });

  it('holds no secret value in any form', () => {
    expect(scanFor(CANARIES, evidence)).toEqual([]);
  });

  it('would find one that was there', () => {
    const planted = [
      { where: 'planted', text: `reason: ${Buffer.from(CANARIES['Bucket secret key']).toString('base64')}` },
    ];
    expect(scanFor(CANARIES, planted)).not.toEqual([]);
  });
});
