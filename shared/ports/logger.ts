// Port: structured logs. Fields carry identities and reasons, never secrets or decrypted values.

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export function consoleLogger(prefix = 'sluice'): Logger {
  const line = (level: string, message: string, fields?: Record<string, unknown>) => {
    const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    process.stderr.write(`${new Date().toISOString()} ${level} ${prefix}: ${message}${extra}\n`);
  };
  return {
    info: (m, f) => line('info ', m, f),
    warn: (m, f) => line('warn ', m, f),
    error: (m, f) => line('error', m, f),
  };
}
