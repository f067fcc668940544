// HTTP plumbing: reading and decoding request bodies (JSON or YAML), writing JSON/Status responses and the
// default field manager derived from the User-Agent (who the caller is: authentication.ts).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, failure, type StatusBody } from './status.ts';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString('utf8');
}

/** The raw body: protobuf bodies are binary (see protobuf.ts). */
export function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'Request entity too large: limit is 3145728', 'RequestEntityTooLarge'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `application/merge-patch+json; charset=utf-8` -> `application/merge-patch+json` */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Decodes a JSON or YAML body (YAML 1.2, so JSON is accepted either way). */
export function decodeBody(text: string, type: string): unknown {
  if (text.trim() === '') throw badRequest('the request body is empty');
  try {
    if (type.includes('yaml')) return parseYaml(text);
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding ${type.includes('yaml') ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: StatusBody): void {
  sendJson(res, status.code, status);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof ApiError) {
    sendStatus(res, err.status);
    return;
  }
  sendStatus(
    res,
    failure(500, `internal error in kube-api-server stand-in: ${(err as Error)?.stack ?? err}`),
  );
}

/** Field manager for non-apply writes without `fieldManager`: the User-Agent up to its first `/`. */
export function defaultManager(req: IncomingMessage): string {
  const agent = req.headers['user-agent'];
  const prefix = agent?.split('/')[0]?.trim();
  return prefix ? prefix.slice(0, 128) : 'unknown';
}
