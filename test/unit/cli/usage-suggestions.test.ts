// The CLI's usage errors as data: which flag or command a near miss suggests, and which mistakes in the
// flags are refused (with code UsageError and exit code 2) before Node's parser could word them.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../cli/parse-command-line.ts';
import { suggestCommand, unknownCommandMessage } from '../../../cli/suggest-command.ts';
import { CliUsageError } from '../../../cli/usage-error.ts';

const options = {
  path: { type: 'string' },
  'strict-substitute': { type: 'string' },
  'dry-run': { type: 'boolean' },
  namespace: { type: 'string', short: 'n' },
} as const;

function refusal(args: string[]): CliUsageError {
  try {
    parseCommandLine({ args, allowPositionals: true, options });
  } catch (err) {
    if (err instanceof CliUsageError) return err;
    throw err;
  }
  throw new Error(`accepted ${args.join(' ')}`);
}

describe('suggestCommand', () => {
  it.each([
    [['stauts'], 'status'],
    [['serv'], 'serve'],
    [['reconcile', 'source'], 'reconcile source git'],
    [['reconcile', 'sorce', 'git', 'flux-system'], 'reconcile source git'],
    [['build', 'kustomisation', 'podinfo'], 'build kustomization'],
    [['build', 'helmrelase', 'podinfo'], 'build helmrelease'],
    [['get', 'artefact', 'dev/apps'], 'get artifact'],
    [['frobnicate'], undefined],
    [['apply'], undefined],
  ])('%j → %s', (typed, expected) => {
    expect(suggestCommand(typed)).toBe(expected);
  });

  it('names only the words that form the command', () => {
    expect(unknownCommandMessage(['build', 'kustomisation', 'podinfo'])).toBe(
      'unknown command "build kustomisation"; did you mean "sluice build kustomization"?',
    );
    expect(unknownCommandMessage(['frobnicate', 'a', 'b'])).toBe('unknown command "frobnicate a"');
  });
});

describe('parseCommandLine', () => {
  it('reads known flags as parseArgs does', () => {
    const { values, positionals } = parseCommandLine({
      args: ['build', '--path', 'a', '-n', 'ns', '--dry-run', '--strict-substitute=true'],
      allowPositionals: true,
      options,
    });
    expect(positionals).toEqual(['build']);
    expect(values).toEqual({ path: 'a', namespace: 'ns', 'dry-run': true, 'strict-substitute': 'true' });
  });

  it.each([
    [['--strict-substitue'], 'unknown flag --strict-substitue; did you mean --strict-substitute?'],
    [['--strict-substitue=true'], 'unknown flag --strict-substitue; did you mean --strict-substitute?'],
    [['--dryrun'], 'unknown flag --dryrun; did you mean --dry-run?'],
    [['-path', 'a'], 'unknown flag -path; did you mean --path?'],
    [['--frobnicate'], 'unknown flag --frobnicate'],
    [['--path'], '--path needs a value: --path VALUE'],
    [['-n'], '-n needs a value: -n VALUE'],
    [
      ['--path', '--dry-run'],
      '--path needs a value, got the flag --dry-run (write --path=--dry-run if you mean it)',
    ],
    [['--dry-run=yes'], '--dry-run takes no value; write --dry-run alone'],
  ])('refuses %j: %s', (args, message) => {
    const err = refusal(args);
    expect(err.code).toBe('UsageError');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(message);
  });
});
