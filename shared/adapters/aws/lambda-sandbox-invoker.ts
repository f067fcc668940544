// Calls the tool sandbox function synchronously (Lambda Invoke, RequestResponse) and decodes its answer.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { SluiceError } from '../../core/errors.ts';
import type { SandboxRequest, SandboxResponse } from '../render/sandbox-request.ts';

export function lambdaSandboxInvoker(lambda: LambdaClient, functionName: string) {
  return async (req: SandboxRequest): Promise<SandboxResponse> => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(req)) }),
    );
    if (out.FunctionError || !out.Payload) {
      // The function crashed or timed out (a runaway tool): the render limit, not something to retry.
      throw new SluiceError(
        'RenderLimitExceeded',
        `the render sandbox function failed (${out.FunctionError ?? 'no answer'}); the build may exceed its time or memory limit`,
        { retryable: false },
      );
    }
    return JSON.parse(Buffer.from(out.Payload).toString('utf8')) as SandboxResponse;
  };
}
