// `sluice`'s flags, parsed with node:util's parseArgs but judged here: an unknown flag, a flag without its
// value or a switch given one is a usage error (exit 2) in our words, with the flag it most likely meant.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { closestMatch } from '../shared/core/text/closest-match.ts';
import { CliUsageError } from './usage-error.ts';

/** parseArgs in strict mode, after checking every flag so that its own errors (in its words) never show. */
export function parseCommandLine<O extends ParseArgsOptionsConfig>(config: {
  args: string[];
  allowPositionals: true;
  options: O;
}) {
  const { args, options } = config;
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  const reported = new Set<number>();
  for (const token of tokens) {
    if (token.kind !== 'option' || reported.has(token.index)) continue;
    const problem = flagProblem(token, args[token.index] ?? token.rawName, options);
    if (problem) throw new CliUsageError(problem);
    // `-abc` is three tokens at one index: one complaint is enough.
    if (!(token.name in options)) reported.add(token.index);
  }
  try {
    return parseArgs({ ...config, strict: true });
  } catch (err) {
    // Unreachable after the checks above unless parseArgs grows a new rule: still a usage error.
    throw new CliUsageError(`cannot read the flags: ${(err as { code?: string }).code ?? 'invalid'}`);
  }
}

interface OptionToken {
  name: string;
  rawName: string;
  value?: string | undefined;
  inlineValue?: boolean | undefined;
}

function flagProblem(token: OptionToken, arg: string, options: ParseArgsOptionsConfig): string | undefined {
  const option = options[token.name];
  if (!option) return unknownFlag(token, arg, options);
  if (option.type === 'boolean') {
    return token.inlineValue ? `${token.rawName} takes no value; write ${token.rawName} alone` : undefined;
  }
  const flag = token.rawName;
  if (token.value === undefined) return `${flag} needs a value: ${flag} VALUE`;
  // `--path --root x`: parseArgs would take `--root` as the path; a user almost never means that.
  if (!token.inlineValue && token.value.startsWith('-') && token.value !== '-')
    return `${flag} needs a value, got the flag ${token.value} (write ${flag}=${token.value} if you mean it)`;
  return undefined;
}

function unknownFlag(token: OptionToken, arg: string, options: ParseArgsOptionsConfig): string {
  // `-path` reads as -p -a -t -h; name the whole word as the user typed it.
  const typed = token.rawName.startsWith('--') ? token.rawName : (arg.split('=')[0] ?? token.rawName);
  const guess = closestMatch(typed.replace(/^-+/, ''), Object.keys(options));
  return `unknown flag ${typed}${guess ? `; did you mean --${guess}?` : ''}`;
}
