// Writes to stdout or stderr and resolves once the bytes are handed to the OS. When stdout is a pipe, Node
// queues what the reader has not taken yet, and `process.exit()` drops it (`| kubectl apply -f -` got part).
export function writeFully(stream: NodeJS.WriteStream, text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** The reader of a pipe went away (`| head`): the shell's code for a writer killed by SIGPIPE, no message. */
export const READER_GONE_EXIT_CODE = 141;

export function isReaderGone(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EPIPE';
}
