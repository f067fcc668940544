// Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (metadata.name,
// metadata.namespace with =, ==, !=) parsed from LIST/WATCH query strings and matched against objects.

import { badRequest } from './status.ts';
import type { KubeObject } from './types.ts';

export type Matcher = (obj: KubeObject) => boolean;

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = '[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?';
const VALUE = '([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?';
const setRe = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\(([^()]*)\)$`);
const eqRe = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const existsRe = new RegExp(String.raw`^(!?)\s*(${KEY})$`);
const valueRe = new RegExp(`^${VALUE}$`);

function parseRequirement(text: string): Requirement {
  const set = setRe.exec(text);
  if (set) {
    const values = (set[4] ?? '').split(',').map((v) => v.trim());
    if (values.some((v) => !valueRe.test(v))) throw badRequest(`unable to parse requirement: ${text}`);
    return { op: set[3] === 'in' ? 'in' : 'notin', key: set[1] ?? '', values };
  }
  const eq = eqRe.exec(text);
  if (eq) return { op: eq[3] === '!=' ? 'neq' : 'eq', key: eq[1] ?? '', value: eq[4] ?? '' };
  const exists = existsRe.exec(text);
  if (exists) return { op: exists[1] ? 'notexists' : 'exists', key: exists[2] ?? '' };
  throw badRequest(`unable to parse requirement: found '${text}', expected: identifier`);
}

function matchesRequirement(labels: Record<string, string>, req: Requirement): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'eq':
      return has && value === req.value;
    case 'neq':
      return !has || value !== req.value;
    case 'in':
      return has && req.values.includes(value ?? '');
    case 'notin':
      return !has || !req.values.includes(value ?? '');
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

export function parseLabelSelector(selector: string | null): Matcher {
  if (!selector?.trim()) return () => true;
  const requirements = splitTopLevel(selector).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return requirements.every((r) => matchesRequirement(labels, r));
  };
}

const FIELDS: Record<string, (obj: KubeObject) => string> = {
  'metadata.name': (obj) => obj.metadata.name ?? '',
  'metadata.namespace': (obj) => obj.metadata.namespace ?? '',
};

export function parseFieldSelector(selector: string | null): Matcher {
  if (!selector?.trim()) return () => true;
  const tests = splitTopLevel(selector).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1] ?? '';
    const read = FIELDS[field];
    if (!read) throw badRequest(`field label not supported: ${field}`);
    const negate = m[2] === '!=';
    const expected = m[3] ?? '';
    return (obj: KubeObject) => (read(obj) === expected) !== negate;
  });
  return (obj) => tests.every((t) => t(obj));
}
