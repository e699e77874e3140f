import type { AddressInfo } from 'node:net';
import type { Config } from './config-schema.ts';

/**
 * The base URL links in messages and pages point to. `server.publicUrl` when set; else derived
 * from the address the HTTP server really listens on (`PORT`, port 0 included), with loopback and
 * wildcard hosts shown as `localhost` — right for the machine itself only, which is why a chat
 * that is on without `server.publicUrl` is warned about at start.
 */
export interface PublicUrl {
  /** The base URL now, without a trailing slash. */
  get(): string;
  /** Whether `server.publicUrl` sets it (else it is derived from the listening address). */
  readonly configured: boolean;
  /** Called by the HTTP server once it listens. */
  listening(address: AddressInfo | string | null): void;
}

const LOCAL_HOSTS = new Set(['', '0.0.0.0', '::', '127.0.0.1', '::1', 'localhost']);

/** `http://host:port` for a listening address; loopback and wildcard hosts become `localhost`. */
export function urlForAddress(host: string, port: number): string {
  const shown = LOCAL_HOSTS.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

export function createPublicUrl(server: Pick<Config['server'], 'host' | 'port' | 'publicUrl'>): PublicUrl {
  const configured = server.publicUrl?.replace(/\/+$/, '');
  let derived = urlForAddress(server.host, server.port);
  return {
    configured: configured !== undefined,
    get: () => configured ?? derived,
    listening(address) {
      if (address && typeof address === 'object') derived = urlForAddress(server.host, address.port);
    },
  };
}
