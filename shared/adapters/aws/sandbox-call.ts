// One call to the tool sandbox function, as the cloud's render runners make it: the packed workspace goes up
// under a fresh store key, the sandbox gets pre-signed URLs only, and its output is read back and both removed.
import { randomUUID } from 'node:crypto';
import { SluiceError } from '../../core/errors.ts';
import { storePrefixes } from '../../core/pipeline/resource-names.ts';
import type { ObjectStore } from '../../ports/object-store.ts';
import type { SandboxRequest, SandboxResponse } from '../render/sandbox-request.ts';

export interface SandboxCallOptions {
  store: ObjectStore;
  /** A short-lived URL for one object and one method. */
  presign: (key: string, method: 'GET' | 'PUT') => Promise<string>;
  /** Calls the tool sandbox function and returns its answer. */
  invoke: (req: SandboxRequest) => Promise<SandboxResponse>;
}

/** Lends `bundle` to the sandbox for `request` and returns what it wrote; the store keeps neither after. */
export async function callSandbox(
  opts: SandboxCallOptions,
  bundle: Buffer,
  request: Omit<SandboxRequest, 'inputUrl' | 'outputUrl'>,
): Promise<string> {
  const prefix = `${storePrefixes.sandbox}${randomUUID()}`;
  const input = `${prefix}/workspace.json.gz`;
  const output = `${prefix}/output.yaml`;
  try {
    await opts.store.put(input, bundle, 'application/gzip');
    const res = await opts.invoke({
      inputUrl: await opts.presign(input, 'GET'),
      outputUrl: await opts.presign(output, 'PUT'),
      ...request,
    });
    if (!res.ok) throw new SluiceError(res.code, res.message, { retryable: res.retryable });
    const body = await opts.store.get(output);
    if (body === undefined)
      throw new SluiceError('StoreUnavailable', 'the render sandbox reported success but wrote no output', {
        retryable: true,
      });
    return body.toString('utf8');
  } finally {
    await Promise.all([opts.store.delete(input), opts.store.delete(output)]).catch(() => undefined);
  }
}
