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
      const errorType = errorTypeOf(out.Payload);
      // A timeout or out-of-memory end is the build's doing (a runaway tool): permanent. Anything else
      // (a failed start, throttling) is the platform's and worth retrying.
      if (/Timedout|OutOfMemory|ExitError/i.test(errorType)) {
        throw new SluiceError(
          'RenderLimitExceeded',
          `the render sandbox function ended with ${errorType}: the build exceeds the function's time or memory limit`,
          { retryable: false },
        );
      }
      throw new SluiceError(
        'BuildFailed',
        `the render sandbox function failed (${errorType || out.FunctionError || 'no answer'}); will retry`,
        { retryable: true },
      );
    }
    return JSON.parse(Buffer.from(out.Payload).toString('utf8')) as SandboxResponse;
  };
}

/** Lambda's error payload is `{errorType, errorMessage}`; only the type is kept (the message is the tool's). */
function errorTypeOf(payload: Uint8Array | undefined): string {
  if (!payload) return '';
  try {
    const parsed = JSON.parse(Buffer.from(payload).toString('utf8')) as { errorType?: unknown };
    return typeof parsed.errorType === 'string' ? parsed.errorType.slice(0, 80) : '';
  } catch {
    return '';
  }
}
