// Reads an HTTP request body within a size and a time bound: a declared Content-Length over the limit is
// refused before a byte is read, a chunked body as it passes the limit, a slow or stalled body at the deadline.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../shared/core/http-error.ts';

export interface BodyBounds {
  maxBytes: number;
  /** The whole body must arrive within this time after the headers, however it trickles in. */
  timeoutMs: number;
}

/** The body, or an HttpError: `LimitExceeded`, answered 413 over `maxBytes` and 408 past the deadline. */
export function readBoundedBody(req: IncomingMessage, bounds: BodyBounds): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > bounds.maxBytes) return Promise.reject(tooLarge(bounds.maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (outcome: () => void): void => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      // Reading stops here; what the client still sends is drained by closeAfterAnswer.
      req.pause();
      outcome();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > bounds.maxBytes) stop(() => reject(tooLarge(bounds.maxBytes)));
      else chunks.push(chunk);
    };
    const onEnd = (): void => stop(() => resolve(Buffer.concat(chunks)));
    // A client that goes away mid-body is its own mistake, not a server error for the logs.
    const onError = (): void =>
      stop(() =>
        reject(
          new HttpError(
            400,
            'WebhookRejected',
            'the client closed the connection before the body was complete',
          ),
        ),
      );
    const timer = setTimeout(
      () =>
        stop(() =>
          reject(
            new HttpError(
              408,
              'LimitExceeded',
              `the request body did not arrive within ${bounds.timeoutMs / 1000} s; send it whole and promptly`,
            ),
          ),
        ),
      bounds.timeoutMs,
    );
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/**
 * Sends an answer given before the body was read whole, then closes the connection without losing the
 * answer: closing a socket with unread data makes the kernel send a reset, and the client can lose the
 * answer with it. So the server stops writing (`Connection: close`, then FIN) and discards what is still in
 * flight until the client closes too or `graceMs` ends (a "lingering close", as web servers do).
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse, graceMs: number): void {
  const socket = req.socket;
  res.setHeader('connection', 'close');
  // Node ends a `Connection: close` response's socket with destroySoon, which closes it as soon as the
  // answer is flushed; this socket half-closes and lingers instead.
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), graceMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
  // The HTTP parser owns the socket's reads; a flowing request without listeners discards the rest.
  req.resume();
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    'LimitExceeded',
    `webhook body larger than ${maxBytes} bytes; send only the push event`,
  );
}
