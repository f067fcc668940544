// Which leaves and comments are encrypted (SPEC-SOPS §4 `shouldBeEncrypted`): the suffix and regex rules
// tested against every ancestor key, and the comment rules against the comments stack. Go RE2 → JS regex.
import { SluiceError } from '../errors.ts';
import { DEFAULT_UNENCRYPTED_SUFFIX, type SopsCryptRules } from './sops-metadata.ts';

export interface CryptDecider {
  /** `path` = ancestor keys (the leaf key included for values; the container path for comments). */
  shouldBeEncrypted(
    path: readonly string[],
    commentStack: readonly (readonly string[])[],
    isComment: boolean,
  ): boolean;
}

const RULE_KEYS = [
  'unencryptedSuffix',
  'encryptedSuffix',
  'unencryptedRegex',
  'encryptedRegex',
  'unencryptedCommentRegex',
  'encryptedCommentRegex',
] as const;

/** Validates "at most one rule" and applies the `_unencrypted` default (stores.go `ToInternal`). */
export function normalizeRules(rules: SopsCryptRules, file: string): SopsCryptRules {
  const set = RULE_KEYS.filter((k) => rules[k] !== undefined && rules[k] !== '');
  if (set.length > 1) {
    throw new SluiceError(
      'ValidationFailed',
      `${file}: sops metadata sets more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, unencrypted_comment_regex; keep one.`,
      { file },
    );
  }
  const [only] = set;
  if (only === undefined) return { unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX };
  return { [only]: rules[only] };
}

/** Translates the RE2 syntax JS lacks: leading flag groups, POSIX classes, \A, \z, \Q…\E. */
export function re2ToRegExp(source: string, file: string): RegExp {
  let src = source;
  let flags = 'u';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1] ?? '')
      if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  src = src.replace(/\\Q(.*?)(?:\\E|$)/gs, (_, lit: string) => lit.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const posix: Record<string, string> = {
    alpha: 'A-Za-z',
    digit: '0-9',
    alnum: 'A-Za-z0-9',
    upper: 'A-Z',
    lower: 'a-z',
    space: '\\t\\n\\v\\f\\r ',
    word: '\\w',
    punct: '!-\\/:-@\\[-`{-~',
    xdigit: '0-9A-Fa-f',
  };
  src = src.replace(/\[:(\^?)([a-z]+):\]/g, (whole, neg: string, name: string) =>
    neg === '' && posix[name] ? (posix[name] ?? whole) : whole,
  );
  src = src.replace(/\\A/g, '^').replace(/\\z/g, '$(?![\\s\\S])');
  try {
    return new RegExp(src, flags);
  } catch {
    try {
      return new RegExp(src, flags.replace('u', ''));
    } catch {
      throw new SluiceError(
        'ValidationFailed',
        `${file}: a sops regex rule in the metadata is not a valid regular expression.`,
        {
          file,
        },
      );
    }
  }
}

export function cryptDecider(rules: SopsCryptRules, file: string): CryptDecider {
  const r = normalizeRules(rules, file);
  const rx = (s: string | undefined) => (s ? re2ToRegExp(s, file) : undefined);
  const unencRe = rx(r.unencryptedRegex);
  const encRe = rx(r.encryptedRegex);
  const unencCommentRe = rx(r.unencryptedCommentRegex);
  const encCommentRe = rx(r.encryptedCommentRegex);
  return {
    shouldBeEncrypted(path, stack, isComment) {
      let encrypted = true;
      if (r.unencryptedSuffix) if (path.some((k) => k.endsWith(r.unencryptedSuffix ?? ''))) encrypted = false;
      if (r.encryptedSuffix) encrypted = path.some((k) => k.endsWith(r.encryptedSuffix ?? ''));
      if (unencRe) if (path.some((k) => unencRe.test(k))) encrypted = false;
      if (encRe) encrypted = path.some((k) => encRe.test(k));
      if (unencCommentRe)
        if (stack.some((level) => level.some((c) => unencCommentRe.test(c)))) encrypted = false;
      if (encCommentRe) {
        encrypted = stack.some((level, li) =>
          level.some((c, ci) => {
            // The comment being decided is the last one of the last level: it must not select itself.
            if (isComment && li === stack.length - 1 && ci === level.length - 1) return false;
            return encCommentRe.test(c);
          }),
        );
      }
      return encrypted;
    },
  };
}
