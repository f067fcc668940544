// The apply benchmark's baseline: what the API server itself takes to accept the same objects, measured as a
// minimal client in its own process — a bare Node script sending one server-side-apply PATCH per object,
// one after the other (as the puller applies), with nothing else: no artifact, no signature, no inventory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../shared/core/render/yaml-codec.ts';
import { startMetered } from './process-meter.ts';

const CLIENT = `
const { readFileSync } = require('node:fs');
const [server, file] = process.argv.slice(1);
const objects = JSON.parse(readFileSync(file, 'utf8'));
const plural = { ConfigMap: 'configmaps', Deployment: 'deployments' };
(async () => {
  const start = performance.now();
  for (const o of objects) {
    const group = o.apiVersion.includes('/') ? '/apis/' + o.apiVersion : '/api/' + o.apiVersion;
    const url = server + group + '/namespaces/' + o.metadata.namespace + '/' + plural[o.kind] + '/' + o.metadata.name;
    const res = await fetch(url + '?fieldManager=baseline&force=true', {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: JSON.stringify(o),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(url + ': HTTP ' + res.status);
  }
  const seconds = (performance.now() - start) / 1000;
  const hwm = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ seconds, peakRssMib: hwm, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
})();
`;

/** Seconds the plain client took for `objects` (ConfigMaps and Deployments), its own peak resident memory and CPU. */
export async function plainApply(
  server: string,
  objects: KubeObject[],
  dir: string,
): Promise<{ seconds: number; peakRssMib: number; cpuSeconds: number }> {
  const file = join(dir, 'baseline-objects.json');
  writeFileSync(file, JSON.stringify(objects));
  const proc = startMetered([process.execPath, '-e', CLIENT, server, file], { PATH: process.env.PATH ?? '' });
  const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
  if (code !== 0) throw new Error(`the baseline client failed: ${proc.output()}`);
  return JSON.parse(proc.output()) as { seconds: number; peakRssMib: number; cpuSeconds: number };
}
