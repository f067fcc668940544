// HostResolver over the system resolver (getaddrinfo, as the HTTP client itself would use), all families.
import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../../ports/host-resolver.ts';

export const systemResolver: HostResolver = {
  async resolve(host) {
    const found = await lookup(host, { all: true, verbatim: true });
    return found.map((a) => a.address);
  },
};
