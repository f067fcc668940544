// Everything a secret could leak into, recorded as text for a scan: log lines of a recording Logger, messages
// sent through a recording Queue (which forwards every call to the real queue), thrown errors with their cause
// chains, and the forms a plaintext takes on the way (itself, base64 at each byte alignment, gzip'd bundles).
import { inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { Logger } from '../../shared/ports/logger.ts';
import type { ObjectStore } from '../../shared/ports/object-store.ts';
import type { OutgoingMessage, Queue, ReceivedMessage, ReceiveOptions } from '../../shared/ports/queue.ts';

/** One piece of recorded text and where it came from (`log`, `queue:<name>`, `store:<key>`, …). */
export interface Evidence {
  where: string;
  text: string;
}

export interface Hit {
  where: string;
  /** Which secret (its label, never its value) and in which form. */
  secret: string;
  form: string;
}

/** A Logger that keeps every line, its fields as JSON, under `where`. */
export function recordingLogger(into: Evidence[], where = 'log'): Logger {
  const line =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      into.push({ where, text: `${level} ${message} ${JSON.stringify(fields ?? {})}` });
    };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

/** A decorator: records each message sent (dead letters included) and delivered, then does what `inner` does. */
export class RecordingQueue implements Queue {
  private readonly inner: Queue;
  private readonly into: Evidence[];

  constructor(inner: Queue, into: Evidence[]) {
    this.inner = inner;
    this.into = into;
  }

  async send(queue: string, message: OutgoingMessage): Promise<void> {
    this.into.push({ where: `queue-sent:${queue}`, text: JSON.stringify(message) });
    await this.inner.send(queue, message);
  }

  async receive(queue: string, opts?: ReceiveOptions): Promise<ReceivedMessage[]> {
    const messages = await this.inner.receive(queue, opts);
    for (const m of messages) this.into.push({ where: `queue-received:${queue}`, text: JSON.stringify(m) });
    return messages;
  }

  ack(queue: string, receiptHandle: string): Promise<void> {
    return this.inner.ack(queue, receiptHandle);
  }

  retryLater(queue: string, receiptHandle: string, delaySeconds: number): Promise<void> {
    return this.inner.retryLater(queue, receiptHandle, delaySeconds);
  }
}

/** An error as every reader could see it: message, JSON, inspected form, and each cause's message and form. */
export function errorEvidence(err: unknown, where: string): Evidence[] {
  const out: Evidence[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    out.push({ where: `${where}${depth ? ` (cause ${depth})` : ''}`, text: message });
    out.push({ where: `${where} (inspected)`, text: inspect(e, { depth: 10 }) });
    try {
      out.push({ where: `${where} (json)`, text: JSON.stringify(e) ?? '' });
    } catch {
      // a cyclic error: its inspected form above covers it
    }
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/** Every object of the bucket as text; gzip'd objects (snapshot bundles) also inflated. */
export async function storeEvidence(store: ObjectStore, where = 'store'): Promise<Evidence[]> {
  const out: Evidence[] = [];
  for (const key of await store.list('')) {
    const body = await store.get(key);
    if (!body) continue;
    out.push({ where: `${where}:${key}`, text: body.toString('utf8') });
    if (body[0] === 0x1f && body[1] === 0x8b)
      out.push({ where: `${where}:${key} (inflated)`, text: gunzipSync(body).toString('utf8') });
  }
  return out;
}

/**
 * The forms of `secret` to look for: itself and its base64 (and base64url) at each of the three byte
 * alignments it can have inside a longer encoded value (a dotenv file's `KEY=value` in a Secret's data).
 */
export function secretForms(secret: string): { form: string; text: string }[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [
    { form: 'plaintext', text: secret },
    { form: 'base64', text: bytes.toString('base64') },
  ];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Only the 4-character groups made of the secret's bytes alone.
    const from = Math.ceil(shift / 3) * 4;
    const to = Math.floor((shift + bytes.length) / 3) * 4;
    const text = encoded.slice(from, to);
    forms.push({ form: `base64@${shift}`, text });
    forms.push({ form: `base64url@${shift}`, text: text.replaceAll('+', '-').replaceAll('/', '_') });
  }
  return forms;
}

/** Where any form of any secret occurs (`secrets` by label). */
export function scanFor(secrets: Record<string, string>, evidence: readonly Evidence[]): Hit[] {
  const hits: Hit[] = [];
  for (const [label, value] of Object.entries(secrets)) {
    const forms = secretForms(value);
    for (const e of evidence)
      for (const f of forms)
        if (e.text.includes(f.text)) hits.push({ where: e.where, secret: label, form: f.form });
  }
  return hits;
}
