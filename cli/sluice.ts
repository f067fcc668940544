#!/usr/bin/env node
// The `sluice` command. Flux users' habits carry over: same verbs, same flags, errors as `✗ message`.
// Commands are imported when run: `sluice secrets` or `sluice status` load no control plane, no SDK.
import { basename, resolve } from 'node:path';
import { contextFilePath } from '../embedded/control-plane-context.ts';
import { isSluiceError } from '../shared/core/errors.ts';
import { SOURCE_WORDS } from '../shared/core/pipeline/source-kind.ts';
import { isTargetKind, TARGET_KINDS } from '../shared/core/pipeline/target.ts';
import { clusterRootsOfFlags } from './cluster-root-flags.ts';
import { findControlPlane } from './control-plane-context.ts';
import { parseCommandLine } from './parse-command-line.ts';
import { readServeConfig } from './serve-config-file.ts';
import { unknownCommandMessage } from './suggest-command.ts';
import { CliUsageError, isCliUsageError } from './usage-error.ts';
import { isReaderGone, READER_GONE_EXIT_CODE, writeFully } from './write-fully.ts';

const USAGE = `Usage:
  sluice serve [--data-dir DIR] [--cluster NAME]... [--fleet-url URL] [--no-puller]
  sluice status [--api URL] [--data-dir DIR] [--json]
  sluice reconcile source git [NAME] [--api URL] [--data-dir DIR]   (NAME defaults to flux-system)
  sluice reconcile source oci|helm|chart|bucket NAME [--api URL] [--data-dir DIR]
  sluice build kustomization NAME --path DIR --kustomization-file FILE [flags]
  sluice build helmrelease NAME --file FILE [--values FILE]... [flags]
  sluice get artifact CLUSTER/NAME [--api URL] [--data-dir DIR]   what would be applied, as YAML
                                   (CLUSTER/NAMESPACE/NAME; NAMESPACE defaults to flux-system)
  sluice rollback CLUSTER/NAME [--to DIGEST [--reason TEXT]] [--kind HelmRelease] [--api URL] [--data-dir DIR]
                                   without --to: the target's stored artifacts; with it: put that one back,
                                   signed as the newest (held until a render gives other content)
  sluice check --path DIR [--cluster NAME] [--output json] [--timeout 5m]
                                   what Sluice will do with each Flux object of a fleet checkout
  sluice secrets decrypt FILE [--output-type T] [--age-key-file FILE]... [--pgp-key-file FILE]...
  sluice secrets encrypt FILE [--age RECIPIENT | --kms ARN | --pgp FP]... [RULE] [--in-place]
  sluice secrets rotate FILE [--in-place] [--age-key-file FILE]... [--pgp-key-file FILE]...

Flags for serve (the embedded control plane; npm start runs it):
  --data-dir DIR               state, queues, keys (default .sluice)
  --cluster NAME               declared cluster, repeatable (default dev)
  --fleet-url URL              fleet repository (default: the example fleet, served locally)
  --fleet-branch NAME          (default main)
  --cluster-path NAME=PATH     where the cluster starts in the fleet, as flux bootstrap --path (default
                               clusters/NAME); a gotk-sync.yaml or FluxInstance found there is read
  --cluster-branch NAME=BRANCH the fleet branch the cluster follows (default --fleet-branch)
  --cluster-root NAME=NS/NAME  the root GitRepository and Kustomization (default flux-system/flux-system)
  --cluster-var NAME:VAR=VALUE postBuild.substitute of the cluster's root, repeatable: clusters sharing one
                               path differ by these
  --config FILE                the fleet and clusters as in sluice.config.ts, in YAML or JSON:
                               {fleet: {url, branch}, clusters: [{name, fleet: {path, branch, root, variables}}]}
                               (instead of the --cluster and --fleet flags)
  --host ADDR                  listen address (default 127.0.0.1); beyond loopback the status API also wants
                               the token in DATA-DIR/api-token (SLUICE_API_TOKEN for sluice status)
  --port N / --git-port N / --queue-port N   (defaults 7480 / 7481 / 7482)
  --no-puller                  do not apply to the kubeconfig's current context
  --no-cross-namespace-refs    Flux's multi-tenancy lockdown: a Kustomization may reference only its own namespace
  --max-objects-per-render N   (default 10000)
  --max-children-per-kustomization N   Kustomizations, GitRepositories, ConfigMaps, Secrets (default 2000)
  --allow-source-host HOST     a Git server on this machine (or a metadata address) sources may reach besides
                               the fleet's own: host name, CIDR or origin (http://127.0.0.1:8080); repeatable
  --render-sandbox MODE        bwrap (the default: kustomize runs in a bubblewrap sandbox, required), auto
                               (bubblewrap when installed) or none (unconfined: only for fleets you trust)

status and reconcile find a running control plane from any directory: --api URL and --data-dir DIR first,
then SLUICE_API (and SLUICE_WEBHOOK_SECRET, SLUICE_API_TOKEN), then the context file the control plane
writes at start ($XDG_CONFIG_HOME/sluice/context.json, else ~/.config/sluice/context.json). rollback without
an API token signs its request with SLUICE_ROLLBACK_SECRET (the cloud's RollbackSecret; with --data-dir, the
file rollback-secret there), never with the webhook secret.

Flags for build kustomization (as in flux build kustomization):
  --path DIR                   the directory to build (the local checkout of spec.path)
  --kustomization-file FILE    file holding the Kustomization (ConfigMaps/Secrets beside it feed substituteFrom)
  --strict-substitute[=BOOL]   fail on variables without a value or default (default false, as flux build)
  --dry-run                    skip substituteFrom; only spec.postBuild.substitute applies
  -n, --namespace NS           namespace of the Kustomization (default flux-system)
  --root DIR                   repository root that files may not leave (default: enclosing Git work tree)
  --allow-remote-bases         let kustomize fetch remote bases (off by default)

Flags for check (run in a fleet checkout, like flux check --pre; no cluster, no cloud account). It renders
the fleet from DIR with the embedded control plane, then prints per Flux object KIND, NAMESPACE/NAME, FILE,
VERDICT (delivered, different, unsupported or error) and REASON, and the totals; exit 1 when anything is
unsupported or an error, else 0:
  --path DIR                   the cluster root (flux bootstrap --path), in a Git checkout: uncommitted files
                               count, .gitignore'd ones do not
  --cluster NAME               the cluster's name (default: the last segment of DIR)
  -o, --output json            {"summary":{"delivered":N,…},"objects":[{"kind","namespace","name","file","verdict","reason"}]}
  --timeout D                  how long to wait for renders and fetches (default 5m; 90s, 2m, 1h)
  --cluster-root NAME=NS/NAME / --cluster-var NAME:VAR=VALUE / --allow-source-host HOST /
  --render-sandbox MODE        as for serve

Flags for secrets decrypt (sops -d without the sops binary; plaintext on stdout):
  --output-type T              yaml, json, dotenv, ini or binary (default: the file's own format)
  --age-key-file FILE          age identities (also $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt); repeatable
  --pgp-key-file FILE          an unprotected OpenPGP private key (armored or binary); repeatable
  AWS KMS entries use the default AWS credentials, and the entry's role when it has one.

Flags for secrets encrypt (sops -e: a new data key; the encrypted file on stdout). Without key flags the
keys come from the first creation_rules entry of the nearest .sops.yaml (the file's directory, then upwards)
whose path_regex matches the file's path relative to it, with its key_groups, shamir_threshold and rule:
  --age RECIPIENT              an age recipient, age1… or post-quantum age1pq1… (age-keygen -y); repeatable
  --kms ARN[+ROLE_ARN]         an AWS KMS key or alias ARN (kms:Encrypt, default AWS credentials); repeatable
  --pgp FINGERPRINT            a PGP key whose public key is in a --pgp-key-file (gpg --export --armor FP); repeatable
  --pgp-key-file FILE          OpenPGP keys (armored or binary; a private key counts for its public half); repeatable
  --encryption-context K:V,…   the KMS encryption context for every --kms key (stored in the file, as sops does)
  --shamir-secret-sharing-threshold N   each key given becomes its own key group and any N of them decrypt
  --mac-only-encrypted         the MAC covers only encrypted values (plain ones may be edited)
  RULE, at most one (default: values whose key ends in _unencrypted stay plain):
  --encrypted-regex RE         encrypt only values under a key matching RE (e.g. '^(data|stringData)$')
  --unencrypted-regex RE       leave values under a key matching RE plain
  --encrypted-suffix S         encrypt only values under a key ending in S
  --unencrypted-suffix S       leave values under a key ending in S plain
  --encrypted-comment-regex RE / --unencrypted-comment-regex RE   select by the comments above a value
  --in-place                   rewrite FILE instead of printing (also for secrets rotate)
secrets rotate (sops -r) re-encrypts every value under a new data key for the file's own age, PGP and KMS
keys (key groups and threshold kept), finding the current key as secrets decrypt does; a PGP entry is
re-wrapped with the key of its fingerprint from a --pgp-key-file. An entry it cannot re-wrap stops it, file untouched.

Flags for build helmrelease (prints the manifest: CRDs, objects, hooks):
  --file FILE                  file holding the HelmRelease (ConfigMaps/Secrets beside it feed valuesFrom)
  --values FILE                values merged last, after spec.valuesFrom and spec.values (as helm -f); repeatable
  --chart DIR|TGZ              the chart to render; required unless spec.chart's sourceRef is a GitRepository
  --path DIR                   local checkout of that GitRepository, where spec.chart.spec.chart is found
                               (default: the current directory)
  -n, --namespace NS           namespace of the HelmRelease (default flux-system)
  --kube-version V             the cluster's Kubernetes version (default: helm's)
  --api-versions V             an API version the cluster serves (group/version[/Kind]); repeatable
  --is-upgrade                 render as an upgrade of an existing release
`;

async function main(argv: string[]): Promise<number> {
  const normalized = argv.map((a) => (a === '--strict-substitute' ? '--strict-substitute=true' : a));
  const { positionals, values } = parseCommandLine({
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
      file: { type: 'string' },
      values: { type: 'string', multiple: true },
      chart: { type: 'string' },
      'kube-version': { type: 'string' },
      'api-versions': { type: 'string', multiple: true },
      'is-upgrade': { type: 'boolean', default: false },
      'output-type': { type: 'string' },
      'age-key-file': { type: 'string', multiple: true },
      'pgp-key-file': { type: 'string', multiple: true },
      age: { type: 'string', multiple: true },
      kms: { type: 'string', multiple: true },
      pgp: { type: 'string', multiple: true },
      'shamir-secret-sharing-threshold': { type: 'string' },
      'mac-only-encrypted': { type: 'boolean', default: false },
      'encrypted-comment-regex': { type: 'string' },
      'unencrypted-comment-regex': { type: 'string' },
      'encryption-context': { type: 'string' },
      'encrypted-regex': { type: 'string' },
      'unencrypted-regex': { type: 'string' },
      'encrypted-suffix': { type: 'string' },
      'unencrypted-suffix': { type: 'string' },
      'in-place': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      // No defaults: status and reconcile tell a flag given from one left out (see findControlPlane).
      'data-dir': { type: 'string' },
      cluster: { type: 'string', multiple: true },
      'fleet-url': { type: 'string' },
      'fleet-branch': { type: 'string' },
      config: { type: 'string' },
      'cluster-path': { type: 'string', multiple: true },
      'cluster-branch': { type: 'string', multiple: true },
      'cluster-root': { type: 'string', multiple: true },
      'cluster-var': { type: 'string', multiple: true },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '7480' },
      'git-port': { type: 'string', default: '7481' },
      'queue-port': { type: 'string', default: '7482' },
      'no-puller': { type: 'boolean', default: false },
      'no-cross-namespace-refs': { type: 'boolean', default: false },
      'max-objects-per-render': { type: 'string' },
      'max-children-per-kustomization': { type: 'string' },
      'allow-source-host': { type: 'string', multiple: true },
      'render-sandbox': { type: 'string' },
      api: { type: 'string' },
      json: { type: 'boolean', default: false },
      to: { type: 'string' },
      reason: { type: 'string' },
      kind: { type: 'string' },
      output: { type: 'string', short: 'o' },
      timeout: { type: 'string' },
    },
  });
  const [verb, noun, name] = positionals;
  if (values.help || !verb) {
    await writeFully(process.stdout, USAGE);
    return values.help ? 0 : 2;
  }
  if (verb === 'build' && (noun === 'kustomization' || noun === 'ks')) {
    if (!name) throw usage('kustomization name is required: sluice build kustomization NAME');
    const strict = values['strict-substitute'];
    if (strict !== 'true' && strict !== 'false')
      throw usage(`--strict-substitute must be true or false, got ${JSON.stringify(strict)}`);
    if (!values.path) throw usage('build kustomization needs --path DIR, the directory to build');
    if (!values['kustomization-file'])
      throw usage('build kustomization needs --kustomization-file FILE, the file holding the Kustomization');
    await writeFully(
      process.stdout,
      await (await import('./commands/build-kustomization.ts')).buildKustomization({
        name,
        path: values.path ?? '',
        ...(values['kustomization-file'] && { kustomizationFile: values['kustomization-file'] }),
        namespace: values.namespace,
        strictSubstitute: strict === 'true',
        dryRun: values['dry-run'],
        ...(values.root && { root: values.root }),
        allowRemoteBases: values['allow-remote-bases'],
        ...(process.env.SLUICE_KUBECTL && { kubectlPath: process.env.SLUICE_KUBECTL }),
        warn: warnOnStderr,
      }),
    );
    return 0;
  }
  if (verb === 'secrets' && noun === 'decrypt') {
    if (!name || positionals.length > 3)
      throw usage(
        'secrets decrypt wants one FILE: sluice secrets decrypt FILE [--output-type yaml|json|dotenv|ini|binary]',
      );
    await writeFully(
      process.stdout,
      await (await import('./commands/secrets-decrypt.ts')).secretsDecrypt({
        file: name,
        ...(values['output-type'] && { outputType: values['output-type'] }),
        ageKeyFiles: values['age-key-file'] ?? [],
        pgpKeyFiles: values['pgp-key-file'] ?? [],
        env: process.env,
      }),
    );
    return 0;
  }
  if (verb === 'secrets' && noun === 'encrypt') {
    if (!name || positionals.length > 3)
      throw usage('secrets encrypt wants one FILE: sluice secrets encrypt FILE --age RECIPIENT');
    const ruleFlags = [
      'encrypted-regex',
      'unencrypted-regex',
      'encrypted-suffix',
      'unencrypted-suffix',
      'encrypted-comment-regex',
      'unencrypted-comment-regex',
    ] as const;
    const given = ruleFlags.filter((f) => values[f] !== undefined);
    if (given.length > 1)
      throw usage(`give at most one of --${ruleFlags.join(', --')}; got --${given.join(' and --')}`);
    // No key flags is fine: the keys then come from the .sops.yaml creation rule for the file.
    await writeFully(
      process.stdout,
      await (await import('./commands/secrets-encrypt.ts')).secretsEncrypt({
        file: name,
        age: values.age ?? [],
        kms: values.kms ?? [],
        pgp: values.pgp ?? [],
        pgpKeyFiles: values['pgp-key-file'] ?? [],
        ...(values['encryption-context'] !== undefined && {
          encryptionContext: values['encryption-context'],
        }),
        ...(values['shamir-secret-sharing-threshold'] !== undefined && {
          shamirThreshold: values['shamir-secret-sharing-threshold'],
        }),
        macOnlyEncrypted: values['mac-only-encrypted'],
        rules: {
          ...(values['encrypted-regex'] !== undefined && { encryptedRegex: values['encrypted-regex'] }),
          ...(values['unencrypted-regex'] !== undefined && { unencryptedRegex: values['unencrypted-regex'] }),
          ...(values['encrypted-suffix'] !== undefined && { encryptedSuffix: values['encrypted-suffix'] }),
          ...(values['unencrypted-suffix'] !== undefined && {
            unencryptedSuffix: values['unencrypted-suffix'],
          }),
          ...(values['encrypted-comment-regex'] !== undefined && {
            encryptedCommentRegex: values['encrypted-comment-regex'],
          }),
          ...(values['unencrypted-comment-regex'] !== undefined && {
            unencryptedCommentRegex: values['unencrypted-comment-regex'],
          }),
        },
        inPlace: values['in-place'],
      }),
    );
    return 0;
  }
  if (verb === 'secrets' && noun === 'rotate') {
    if (!name || positionals.length > 3)
      throw usage('secrets rotate wants one FILE: sluice secrets rotate FILE [--in-place]');
    await writeFully(
      process.stdout,
      await (await import('./commands/secrets-encrypt.ts')).secretsRotate({
        file: name,
        inPlace: values['in-place'],
        ageKeyFiles: values['age-key-file'] ?? [],
        pgpKeyFiles: values['pgp-key-file'] ?? [],
        env: process.env,
      }),
    );
    return 0;
  }
  if (verb === 'build' && (noun === 'helmrelease' || noun === 'hr')) {
    if (!name) throw usage('helmrelease name is required: sluice build helmrelease NAME --file FILE');
    if (!values.file) throw usage('build helmrelease needs --file FILE, the file holding the HelmRelease');
    await writeFully(
      process.stdout,
      await (await import('./commands/build-helmrelease.ts')).buildHelmRelease({
        name,
        file: values.file,
        valuesFiles: values.values ?? [],
        namespace: values.namespace,
        ...(values.chart && { chart: values.chart }),
        ...(values.path && { path: values.path }),
        ...(values['kube-version'] && { kubeVersion: values['kube-version'] }),
        apiVersions: values['api-versions'] ?? [],
        isUpgrade: values['is-upgrade'],
        ...(process.env.SLUICE_KUBECTL && { kubectlPath: process.env.SLUICE_KUBECTL }),
        warn: warnOnStderr,
      }),
    );
    return 0;
  }
  if (verb === 'check') {
    if (noun !== undefined) throw usage(`check takes no arguments, got ${noun}: sluice check --path DIR`);
    if (!values.path)
      throw usage('check needs --path DIR, the cluster root in a fleet checkout (flux bootstrap --path)');
    if (values.output !== undefined && values.output !== 'json')
      throw usage(`--output must be json (or left out for the table), got ${JSON.stringify(values.output)}`);
    if ((values.cluster?.length ?? 0) > 1) throw usage('check reports one cluster: give --cluster once');
    const cluster = values.cluster?.[0] ?? basename(resolve(values.path));
    // The same forms as serve's: --cluster-root NAME=NS/NAME, --cluster-var NAME:VAR=VALUE.
    const root = clusterRootsOfFlags({
      clusters: [cluster],
      roots: values['cluster-root'] ?? [],
      variables: values['cluster-var'] ?? [],
    })?.[cluster];
    const result = await (await import('./commands/check.ts')).check({
      path: values.path,
      cluster,
      ...(root?.root && {
        root: { namespace: root.root.namespace ?? 'flux-system', name: root.root.name ?? 'flux-system' },
      }),
      ...(root?.variables && { variables: root.variables }),
      json: values.output === 'json',
      timeoutMs: duration(values.timeout ?? '5m', '--timeout'),
      ...(values['allow-source-host']?.length && { allowedSourceHosts: values['allow-source-host'] }),
      ...(values['render-sandbox'] && { renderSandbox: sandboxMode(values['render-sandbox']) }),
    });
    await writeFully(process.stdout, result.output);
    return result.exitCode;
  }
  if (verb === 'serve') {
    const file = values.config ? readServeConfig(values.config) : undefined;
    const flagged = [
      'cluster',
      'cluster-path',
      'cluster-branch',
      'cluster-root',
      'cluster-var',
      'fleet-url',
      'fleet-branch',
    ].filter((f) => values[f as keyof typeof values] !== undefined);
    if (file && flagged.length > 0)
      throw usage(
        `--config gives the fleet and the clusters: leave out --${flagged.join(', --')}, or --config`,
      );
    const clusters = file?.clusters ?? (values.cluster?.length ? values.cluster : ['dev']);
    const clusterRoots = file
      ? file.clusterRoots
      : clusterRootsOfFlags({
          clusters,
          paths: values['cluster-path'] ?? [],
          branches: values['cluster-branch'] ?? [],
          roots: values['cluster-root'] ?? [],
          variables: values['cluster-var'] ?? [],
        });
    const fleetUrl = file?.fleetUrl ?? values['fleet-url'];
    await (await import('./commands/serve.ts')).serve({
      dataDir: values['data-dir'] ?? '.sluice',
      contextFile: contextFilePath(process.env),
      clusters,
      ...(clusterRoots && { clusterRoots }),
      ...(fleetUrl && { fleetUrl }),
      fleetBranch: file?.fleetBranch ?? values['fleet-branch'] ?? 'main',
      host: values.host,
      apiPort: port(values.port, '--port'),
      gitPort: port(values['git-port'], '--git-port'),
      queuePort: port(values['queue-port'], '--queue-port'),
      puller: !values['no-puller'],
      noCrossNamespaceRefs: values['no-cross-namespace-refs'],
      ...(values['max-objects-per-render'] && {
        maxObjectsPerRender: count(values['max-objects-per-render'], '--max-objects-per-render'),
      }),
      ...(values['max-children-per-kustomization'] && {
        maxChildrenPerKustomization: count(
          values['max-children-per-kustomization'],
          '--max-children-per-kustomization',
        ),
      }),
      ...(values['allow-source-host']?.length && { allowedSourceHosts: values['allow-source-host'] }),
      ...(values['render-sandbox'] && { renderSandbox: sandboxMode(values['render-sandbox']) }),
      ...(process.env.SLUICE_WEBHOOK_SECRET && { webhookSecret: process.env.SLUICE_WEBHOOK_SECRET }),
    });
    return 0;
  }
  const sourceKind = verb === 'reconcile' && noun === 'source' && name ? SOURCE_WORDS[name] : undefined;
  if (sourceKind) {
    // Like flux: the fleet repository is `git`'s default; other kinds are named.
    const target = positionals[3] ?? (sourceKind === 'GitRepository' ? 'flux-system' : undefined);
    if (!target) throw usage(`reconcile source ${name} wants the ${sourceKind}'s NAME or NAMESPACE/NAME`);
    await writeFully(
      process.stdout,
      await (await import('./commands/reconcile.ts')).reconcileSource(
        controlPlane(values),
        target,
        sourceKind,
      ),
    );
    return 0;
  }
  if (verb === 'get' && noun === 'artifact') {
    const ref =
      name && positionals.length === 3
        ? (await import('./commands/get-artifact.ts')).parseArtifactRef(name)
        : undefined;
    if (!ref) throw usage('get artifact wants CLUSTER/NAME or CLUSTER/NAMESPACE/NAME (a Kustomization)');
    await writeFully(
      process.stdout,
      await (await import('./commands/get-artifact.ts')).getArtifact(controlPlane(values), ref),
    );
    return 0;
  }
  if (verb === 'rollback') {
    const ref =
      noun && positionals.length === 2
        ? (await import('./commands/get-artifact.ts')).parseArtifactRef(noun)
        : undefined;
    if (!ref) throw usage('rollback wants CLUSTER/NAME or CLUSTER/NAMESPACE/NAME');
    const kind = values.kind ?? 'Kustomization';
    if (!isTargetKind(kind)) throw usage(`--kind must be one of ${TARGET_KINDS.join(', ')}, got ${kind}`);
    if (values.reason !== undefined && !values.to) throw usage('--reason goes with --to DIGEST');
    await writeFully(
      process.stdout,
      await (await import('./commands/rollback.ts')).rollback(controlPlane(values), {
        ref,
        kind,
        ...(values.to && { to: values.to }),
        ...(values.reason && { reason: values.reason }),
      }),
    );
    return 0;
  }
  if (verb === 'status') {
    await writeFully(
      process.stdout,
      await (await import('./commands/status.ts')).status(controlPlane(values), values.json),
    );
    return 0;
  }
  throw usage(unknownCommandMessage(positionals));
}

function controlPlane(values: { api?: string | undefined; 'data-dir'?: string | undefined }) {
  return findControlPlane({ api: values.api, dataDir: values['data-dir'] }, process.env);
}

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw usage(`${flag} must be a port number, got ${JSON.stringify(value)}`);
  return n;
}

function count(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw usage(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** `90s`, `5m`, `1h` (Flux's durations, whole units): milliseconds. */
function duration(value: string, flag: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(value);
  const n = m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'] : 0;
  if (!m || n < 1000)
    throw usage(`${flag} must be a duration such as 90s, 5m or 1h, got ${JSON.stringify(value)}`);
  return n;
}

function usage(message: string): CliUsageError {
  return new CliUsageError(message);
}

// A failed write also emits 'error' on the stream; writeFully's rejection is where it is handled.
process.stdout.on('error', () => {});
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (err: unknown) => {
    if (isReaderGone(err)) process.exit(READER_GONE_EXIT_CODE);
    const message = isSluiceError(err) || err instanceof Error ? err.message : String(err);
    const hint = isCliUsageError(err) ? '  sluice --help lists the commands and their flags\n' : '';
    await writeFully(process.stderr, `✗ ${message}\n${hint}`).catch(() => {});
    process.exit((err as { exitCode?: number }).exitCode ?? 1);
  },
);

function sandboxMode(text: string): 'auto' | 'bwrap' | 'none' {
  if (text === 'auto' || text === 'bwrap' || text === 'none') return text;
  throw usage(`--render-sandbox must be auto, bwrap or none, got ${JSON.stringify(text)}`);
}

/** A warning a command prints beside its output, as kubectl and flux print an API server's warnings. */
function warnOnStderr(line: string): void {
  process.stderr.write(`⚠ ${line}\n`);
}
