// middy middleware for HTTP functions: a typed Sluice error becomes its status code and message; anything
// else a 500 without internals. Request size is limited before parsing.
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { isSluiceError } from '../../shared/core/errors.ts';

const STATUS: Record<string, number> = { WebhookRejected: 400, ConfigInvalid: 500 };

export function httpErrors(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const err = request.error;
      const status = isSluiceError(err)
        ? err.code === 'WebhookRejected' && err.message.startsWith('webhook signature')
          ? 401
          : (STATUS[err.code] ?? 500)
        : 500;
      const message =
        isSluiceError(err) && status < 500 ? err.message : 'internal error; see the function logs';
      if (status >= 500) console.error(JSON.stringify({ level: 'error', message: (err as Error)?.message }));
      request.response = json(status, { error: message });
    },
  };
}

export function bodyLimit(
  maxBytes: number,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    before: async (request) => {
      const body = request.event.body ?? '';
      const bytes = request.event.isBase64Encoded
        ? Math.floor((body.length * 3) / 4)
        : Buffer.byteLength(body);
      if (bytes > maxBytes) return json(413, { error: `request body larger than ${maxBytes} bytes` });
      return undefined;
    },
  };
}

export function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
