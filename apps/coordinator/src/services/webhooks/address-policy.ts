import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * SSRF protection for webhooks: the coordinator must never be made to POST into its own network.
 * A target is refused when any address its host resolves to is not globally reachable: private,
 * loopback, link-local, CGNAT, documentation, multicast, reserved (RFC 6890), and the IPv6
 * forms that embed such an IPv4 address. The check runs at submit (a clear 400) and again for
 * every delivery, whose connection then goes to exactly the addresses checked (DNS can change).
 */
const FORBIDDEN = new BlockList();
const IPV4_RANGES: [string, number][] = [
  ['0.0.0.0', 8], // "this network", includes 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes 255.255.255.255
];
const IPV6_RANGES: [string, number][] = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['100::', 64], // discard
  ['2001::', 32], // Teredo: the IPv4 address inside is obfuscated, so refuse the prefix
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];
for (const [net, prefix] of IPV4_RANGES) FORBIDDEN.addSubnet(net, prefix, 'ipv4');
// BlockList also applies the IPv4 rules to IPv4-mapped IPv6 addresses (::ffff:a.b.c.d).
for (const [net, prefix] of IPV6_RANGES) FORBIDDEN.addSubnet(net, prefix, 'ipv6');

/** True for an IP literal (IPv4, or IPv6 without brackets) that webhooks may not reach. */
export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return FORBIDDEN.check(ip, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  if (FORBIDDEN.check(ip, 'ipv6')) return true;
  const embedded = embeddedIpv4(ip);
  return embedded !== null && FORBIDDEN.check(embedded, 'ipv4');
}

/** The IPv4 address inside a NAT64 (64:ff9b::/96, 64:ff9b:1::/48) or 6to4 (2002::/16) one. */
function embeddedIpv4(ip: string): string | null {
  const words = ipv6Words(ip);
  if (!words) return null;
  const v4 = (hi = 0, lo = 0) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (words[0] === 0x64 && words[1] === 0xff9b) return v4(words[6], words[7]);
  if (words[0] === 0x2002) return v4(words[1], words[2]);
  return null;
}

/** The eight 16-bit words of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function ipv6Words(ip: string): number[] | null {
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1); // WHATWG: hex words only
  const [head, tail] = canonical.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((w) => Number.parseInt(w, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  if (tail === undefined) return left.length === 8 ? left : null;
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolve: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })) as ResolvedAddress[];

/** Why a webhook URL may not be used; the message is safe to show to the caller. */
export class WebhookTargetError extends Error {
  override readonly name = 'WebhookTargetError';
}

/**
 * The addresses to connect to for `url`, every one of them checked (unless `allowPrivate`).
 * The host is taken from the WHATWG-parsed URL, so decimal, hex and octal IPv4 spellings
 * (`http://2130706433/`, `http://0x7f.1/`) are already normalized to dotted form here.
 */
export async function resolveWebhookTarget(
  url: URL,
  allowPrivate: boolean,
  resolve: Resolve = systemResolve,
): Promise<ResolvedAddress[]> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal === 4 || literal === 6) {
    addresses = [{ address: host, family: literal }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new WebhookTargetError(`host ${host} does not resolve`);
    }
    if (addresses.length === 0) throw new WebhookTargetError(`host ${host} does not resolve`);
  }
  if (!allowPrivate) {
    const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
    if (forbidden) {
      throw new WebhookTargetError(
        `host ${host} resolves to ${forbidden.address}, a private, loopback, link-local or ` +
          'reserved address (allowed only with WEBHOOK_ALLOW_PRIVATE=true)',
      );
    }
  }
  return addresses;
}
