import { isIP } from 'node:net';

/**
 * Whether a URL's host is this machine's loopback (127.0.0.0/8, ::1, `localhost`). The WHATWG
 * URL parser has already normalised numeric forms (`http://2130706433/` is 127.0.0.1). Used where
 * something must stay on the machine: the demo account's secret, and the mock's callbacks.
 */
export function loopbackHost(url: URL): string | undefined {
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.')) ? host : undefined;
}

export function isLoopbackUrl(url: string): boolean {
  try {
    return loopbackHost(new URL(url)) !== undefined;
  } catch {
    return false;
  }
}
