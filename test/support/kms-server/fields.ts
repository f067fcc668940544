// Typed reads of request members from a decoded JSON 1.1 body: strings, enums, integers, base64 blobs and
// string maps, each failing with the ValidationException/SerializationException real KMS would send.

import { KmsError, missing, validation } from './errors.ts';

export type Body = Record<string, unknown>;

export function optionalString(body: Body, member: string): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serialization(member, 'string');
  return value;
}

export function requiredString(body: Body, member: string): string {
  const value = optionalString(body, member);
  if (value === undefined) throw missing(member);
  if (value === '')
    throw validation(
      `1 validation error detected: Value '' at '${lower(member)}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  return value;
}

export function optionalEnum<T extends string>(
  body: Body,
  member: string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(body, member);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${lower(member)}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value as T;
}

export function optionalInteger(body: Body, member: string, min: number, max: number): number | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw serialization(member, 'integer');
  if (value < min || value > max) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${lower(member)}' failed to satisfy constraint: Member must have value ${value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
    );
  }
  return value;
}

/** A base64 blob member, with real KMS's length bounds (1..max bytes). */
export function requiredBlob(body: Body, member: string, max: number): Buffer {
  const text = optionalString(body, member);
  if (text === undefined) throw missing(member);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
    throw serialization(member, 'base64 blob');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < 1 || bytes.length > max) {
    throw validation(
      `1 validation error detected: Value at '${lower(member)}' failed to satisfy constraint: Member must have length ${bytes.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`,
    );
  }
  return bytes;
}

export function encryptionContext(body: Body): Record<string, string> {
  const value = body.EncryptionContext;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw serialization('EncryptionContext', 'map');
  const context: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw serialization(`EncryptionContext.${k}`, 'string');
    context[k] = v;
  }
  return context;
}

function serialization(member: string, expected: string): KmsError {
  return new KmsError('SerializationException', `Unable to parse member ${member}: expected a ${expected}`);
}

function lower(member: string): string {
  return `${member[0]?.toLowerCase() ?? ''}${member.slice(1)}`;
}
