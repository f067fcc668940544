// `npm run check:infra`: install the SST platform without network access to GitHub (providers come from
// the npm registry; bun from npm stands in for SST's own download), then type-check sst.config.ts and
// stacks/. The stack invariant tests (test/infra) run with the rest of `npm test` once this has run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const home = join(root, '.sst-home');
const bunLink = join(home, 'sst', 'bin', 'bun');
mkdirSync(dirname(bunLink), { recursive: true });
rmSync(bunLink, { force: true });
// The platform package's binary itself: bun's own postinstall (which would copy it into bun/bin) is not run.
const platformBun = join(
  root,
  'node_modules',
  '@oven',
  `bun-${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}`,
  'bin',
  'bun',
);
symlinkSync(
  existsSync(platformBun) ? platformBun : join(root, 'node_modules', 'bun', 'bin', 'bun.exe'),
  bunLink,
);

const env = {
  ...process.env,
  SST_SKIP_DEPENDENCY_CHECK: 'true',
  SST_TELEMETRY_DISABLED: '1',
  XDG_CONFIG_HOME: home,
};
const step = (what: string, cmd: string, args: string[]) => {
  process.stdout.write(`check:infra: ${what}\n`);
  const run = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  if (run.status !== 0) {
    process.stderr.write(`check:infra: ${what} failed (exit ${run.status ?? run.signal})\n`);
    process.exit(1);
  }
};
step('sst install --stage dev', join(root, 'node_modules', '.bin', 'sst'), ['install', '--stage', 'dev']);
if (!existsSync(join(root, '.sst', 'platform', 'node_modules', '@pulumi', 'aws'))) {
  process.stderr.write('check:infra: sst install left no @pulumi/aws in .sst/platform\n');
  process.exit(1);
}
step('type-check sst.config.ts and stacks/', join(root, 'node_modules', '.bin', 'tsc'), [
  '--noEmit',
  '-p',
  'tsconfig.infra.json',
]);
process.stdout.write('check:infra: ok\n');
