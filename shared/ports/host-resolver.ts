// Port: resolve a host name to every address it has, so each can be checked before any is connected to.

export interface HostResolver {
  /** All addresses (IPv4 and IPv6, as text) the system resolver returns for `host`. */
  resolve(host: string): Promise<string[]>;
}
