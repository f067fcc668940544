// The `sluice` command a mistyped or unfinished one most likely meant: `stauts` → `status`,
// `reconcile source` → `reconcile source git`. Pure, so its cases are a table test.
import { closestMatch, editDistance } from '../shared/core/text/closest-match.ts';

/** Every command `sluice` dispatches, as typed (keep in step with cli/sluice.ts). */
export const COMMANDS: readonly string[] = [
  'serve',
  'check',
  'status',
  'reconcile source git',
  'reconcile source oci',
  'reconcile source helm',
  'reconcile source chart',
  'build kustomization',
  'build helmrelease',
  'get artifact',
  'rollback',
  'secrets decrypt',
];

/** The command `positionals` (the words typed, arguments included) most likely meant, if any is near. */
export function suggestCommand(positionals: readonly string[], commands = COMMANDS): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const command of commands) {
    const words = command.split(' ');
    const typed = positionals.slice(0, words.length);
    // An unfinished command (`reconcile source`) is its own best guess.
    if (typed.length < words.length && typed.length > 0 && typed.every((w, i) => w === words[i]))
      return command;
    const phrase = typed.join(' ');
    if (closestMatch(phrase, [command]) === undefined) continue;
    const distance = editDistance(phrase.toLowerCase(), command);
    if (distance < bestDistance) {
      best = command;
      bestDistance = distance;
    }
  }
  return best;
}

/** `unknown command "stauts"; did you mean "sluice status"?`, naming only the words that form the command. */
export function unknownCommandMessage(positionals: readonly string[]): string {
  const guess = suggestCommand(positionals);
  const typed = positionals.slice(0, guess ? guess.split(' ').length : 2).join(' ');
  return `unknown command "${typed}"${guess ? `; did you mean "sluice ${guess}"?` : ''}`;
}
