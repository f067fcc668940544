#!/usr/bin/env node
// The `sluice` command. Flux users' habits carry over: same verbs, same flags, errors as `✗ message`.
import { parseArgs } from 'node:util';
import { isSluiceError } from '../shared/core/errors.ts';
import { buildKustomization } from './commands/build-kustomization.ts';

const USAGE = `Usage:
  sluice build kustomization NAME --path DIR --kustomization-file FILE [flags]

Flags for build kustomization (as in flux build kustomization):
  --path DIR                   the directory to build (the local checkout of spec.path)
  --kustomization-file FILE    file holding the Kustomization (ConfigMaps/Secrets beside it feed substituteFrom)
  --strict-substitute[=BOOL]   fail on variables without a value or default (default false, as flux build)
  --dry-run                    skip substituteFrom; only spec.postBuild.substitute applies
  -n, --namespace NS           namespace of the Kustomization (default flux-system)
  --root DIR                   repository root that files may not leave (default: enclosing Git work tree)
  --allow-remote-bases         let kustomize fetch remote bases (off by default)
`;

async function main(argv: string[]): Promise<number> {
  const normalized = argv.map((a) => (a === '--strict-substitute' ? '--strict-substitute=true' : a));
  const { positionals, values } = parseArgs({
    args: normalized,
    allowPositionals: true,
    options: {
      path: { type: 'string' },
      'kustomization-file': { type: 'string' },
      'strict-substitute': { type: 'string', default: 'false' },
      'dry-run': { type: 'boolean', default: false },
      namespace: { type: 'string', short: 'n', default: process.env.FLUX_SYSTEM_NAMESPACE || 'flux-system' },
      root: { type: 'string' },
      'allow-remote-bases': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [verb, noun, name] = positionals;
  if (values.help || !verb) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  if (verb === 'build' && (noun === 'kustomization' || noun === 'ks')) {
    if (!name) throw usage('kustomization name is required');
    const strict = values['strict-substitute'];
    if (strict !== 'true' && strict !== 'false') throw usage(`--strict-substitute must be true or false, got ${JSON.stringify(strict)}`);
    process.stdout.write(
      await buildKustomization({
        name,
        path: values.path ?? '',
        ...(values['kustomization-file'] && { kustomizationFile: values['kustomization-file'] }),
        namespace: values.namespace,
        strictSubstitute: strict === 'true',
        dryRun: values['dry-run'],
        ...(values.root && { root: values.root }),
        allowRemoteBases: values['allow-remote-bases'],
        ...(process.env.SLUICE_KUBECTL && { kubectlPath: process.env.SLUICE_KUBECTL }),
      }),
    );
    return 0;
  }
  throw usage(`unknown command: ${positionals.join(' ')}`);
}

function usage(message: string): Error {
  return Object.assign(new Error(`${message}\n\n${USAGE}`), { exitCode: 2 });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = isSluiceError(err) || err instanceof Error ? err.message : String(err);
    process.stderr.write(`✗ ${message}\n`);
    process.exit((err as { exitCode?: number }).exitCode ?? 1);
  },
);
