// middy middleware for HTTP functions: an error becomes its HTTP answer (httpAnswerOf: status, and the
// message only when it is safe to show); anything unexpected a 500 without internals. Request size is limited before parsing.
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { httpAnswerOf } from '../../shared/core/http-error.ts';

export function httpErrors(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const answer = httpAnswerOf(request.error);
      // The caller gets the status and, only for its own mistakes, the message; the rest goes to the logs.
      if (answer.status >= 500)
        console.error(
          JSON.stringify({ level: 'error', code: answer.body.code, message: request.error?.message }),
        );
      request.response = json(answer.status, answer.body);
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
      // The same answer as the embedded API's: `{ error, code }`.
      if (bytes > maxBytes)
        return json(413, { error: `request body larger than ${maxBytes} bytes`, code: 'LimitExceeded' });
      return undefined;
    },
  };
}

export function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
