// Where a local server may listen: loopback always; any other address only when the server checks
// credentials, because then the address was chosen on purpose (`--host`) and nothing is left open.
import { isIP } from 'node:net';
import { SluiceError } from '../../core/errors.ts';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Refuses to expose a server without credentials on anything but loopback. */
export function assertListenAddress(server: string, host: string, authenticated: boolean): void {
  if (authenticated || isLoopbackHost(host)) return;
  throw new SluiceError(
    'ConfigInvalid',
    `${server}: refusing to listen on ${host} without credentials; listen on 127.0.0.1 or configure its credentials`,
    { field: 'host' },
  );
}

/** The address this machine reaches a server on: loopback when it listens on every interface. */
export function localAddress(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host;
}
