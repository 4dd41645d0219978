// Every request to an identity provider (discovery, token, JWKS, userinfo, "test connection") goes
// through this fetch. The issuer is typed by an admin and every other endpoint comes from a document
// the IdP serves, so without a guard an issuer URL is a way to make the server talk to its own
// network. With IDP_PRIVATE_NETWORKS=deny the address is checked when the socket connects, after DNS
// resolution: a numeric host in any spelling (127.1, 2130706433, 0x7f.1, [::ffff:7f00:1]) and a name
// re-pointed to 10.x after it was saved are refused alike.
import dns from 'node:dns';
import net from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import type { Config } from '../config.ts';

export type IdpNetwork = Config['idpNetwork'];

/** Thrown (as a fetch failure's cause) when the IdP's address is not one we may connect to. */
export class AddressNotAllowed extends Error {
  readonly code = 'E_IDP_ADDRESS_NOT_ALLOWED';
  constructor() {
    super('address not allowed');
    this.name = 'AddressNotAllowed';
  }
}

const blocked = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT, also used by cloud internal networks
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, where cloud metadata services answer
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const) blocked.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 96], // unspecified, loopback and the old IPv4-compatible form
  ['100::', 64], // discard
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some)
  ['ff00::', 8], // multicast
] as const) blocked.addSubnet(prefix, bits, 'ipv6');
// IPv4-mapped addresses (::ffff:a.b.c.d) are checked against the IPv4 list by BlockList itself.

/** The IPv4 address inside a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address, which reach IPv4 hosts. */
function embeddedIPv4(ip: string): string | null {
  const words = ipv6Words(ip);
  if (!words) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  return null;
}

function ipv6Words(ip: string): number[] | null {
  let s = ip.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return words.length === 8 ? words.map((w) => parseInt(w, 16)) : null;
}

/** Loopback, private, link-local, unique-local, multicast and the like: never an IdP on the internet. */
export function isForbiddenAddress(ip: string): boolean {
  const family = net.isIP(ip.replace(/%.*$/, ''));
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const bare = ip.replace(/%.*$/, '');
  if (blocked.check(bare, 'ipv6')) return true;
  const inner = embeddedIPv4(bare);
  return inner !== null && blocked.check(inner, 'ipv4');
}

/** The host part of a URL as an allowlist compares it (lower case, IPv6 without brackets). */
export const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');

/** May a connection to this host (the URL's host) end at this address? */
export function addressAllowed(network: IdpNetwork, host: string, address: string): boolean {
  if (network.privateNetworks === 'allow') return true;
  if (network.allowedInternalHosts.includes(host.toLowerCase())) return true;
  return !isForbiddenAddress(address);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** dns.lookup, refusing the whole answer when any address in it is forbidden. */
function guardedLookup(network: IdpNetwork) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      if (addresses.some((a) => !addressAllowed(network, hostname, a.address))) return callback(new AddressNotAllowed(), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

const MAX_RESPONSE_BYTES = 1024 * 1024; // a discovery document or a key set is a few kilobytes

function buildAgent(network: IdpNetwork): Agent {
  const options = { timeout: 5000, ...(network.privateNetworks === 'deny' ? { lookup: guardedLookup(network) } : {}) };
  const connector = buildConnector(options as buildConnector.BuildOptions);
  return new Agent({
    maxResponseSize: MAX_RESPONSE_BYTES,
    connect(opts, callback) {
      // Node skips `lookup` for a numeric host, so those are checked here.
      if (net.isIP(opts.hostname) && !addressAllowed(network, opts.hostname, opts.hostname)) return callback(new AddressNotAllowed(), null);
      connector(opts, callback);
    },
  });
}

const agents = new Map<string, Agent>();

export type IdpFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch for talking to identity providers under this network policy. It is undici's own fetch
 * with its own connection pool, so the connection check does not depend on the undici version
 * inside Node.
 */
export function idpFetch(network: IdpNetwork): IdpFetch {
  const key = JSON.stringify(network);
  let dispatcher = agents.get(key);
  if (!dispatcher) {
    dispatcher = buildAgent(network);
    agents.set(key, dispatcher);
  }
  const agent = dispatcher;
  return (url, init) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>;
}
