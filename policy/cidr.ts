// CIDR arithmetic for the ingress guardrails: is a range private, and do several ranges together
// cover the whole internet (0.0.0.0/1 + 128.0.0.0/1 opens a group as wide as 0.0.0.0/0).
// Pure functions on strings; no policy SDK here.

/** An address range of one family, both ends included. */
export interface AddressRange {
    family: 4 | 6;
    first: bigint;
    last: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

/**
 * Ranges that are not the internet: RFC 1918 private networks, carrier-grade NAT (RFC 6598) and
 * link-local addresses; for IPv6 unique-local (fc00::/7) and link-local (fe80::/10).
 */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"];

function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
        return undefined;
    }
    return parts.reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
    const halves = text.split("::");
    if (halves.length > 2) {
        return undefined;
    }
    const groups = (s: string) => (s === "" ? [] : s.split(":"));
    const head = groups(halves[0]);
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    const missing = 8 - head.length - tail.length;
    if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) {
        return undefined;
    }
    const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
    if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) {
        return undefined;
    }
    return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The range a CIDR such as "10.0.0.0/8" or "2001:db8::/32" denotes (host bits ignored), or undefined. */
export function parseCidr(cidr: string): AddressRange | undefined {
    const m = /^([^/\s]+)\/(\d{1,3})$/.exec(cidr.trim());
    if (!m) {
        return undefined;
    }
    const family = m[1].includes(":") ? 6 : 4;
    const address = family === 4 ? parseIpv4(m[1]) : parseIpv6(m[1]);
    const length = Number(m[2]);
    if (address === undefined || length > BITS[family]) {
        return undefined;
    }
    const hostBits = BigInt(BITS[family] - length);
    const first = (address >> hostBits) << hostBits;
    return { family, first, last: first + (1n << hostBits) - 1n };
}

const PRIVATE = PRIVATE_RANGES.map((c) => parseCidr(c)!);

/** True for a CIDR inside one of the private ranges; an unreadable CIDR is not private. */
export function isPrivateCidr(cidr: string): boolean {
    const range = parseCidr(cidr);
    return range !== undefined && PRIVATE.some((p) => p.family === range.family && p.first <= range.first && range.last <= p.last);
}

/** True for a CIDR with at least one internet address (or one that cannot be read: AWS would reject it). */
export function isPublicCidr(cidr: string): boolean {
    return !isPrivateCidr(cidr);
}

/**
 * The address families (4, 6) whose whole internet the CIDRs cover together: with the private
 * ranges added, they leave no address of the family out. "0.0.0.0/0" alone covers IPv4, and so
 * do "0.0.0.0/1" + "128.0.0.0/1", or every public /8.
 */
export function familiesCovered(cidrs: readonly string[]): (4 | 6)[] {
    const covered: (4 | 6)[] = [];
    for (const family of [4, 6] as const) {
        const ranges = cidrs.map(parseCidr).filter((r): r is AddressRange => r?.family === family);
        if (ranges.length === 0) {
            continue;
        }
        const all = [...ranges, ...PRIVATE.filter((p) => p.family === family)].sort((a, b) =>
            a.first < b.first ? -1 : a.first > b.first ? 1 : 0,
        );
        let next = 0n;
        for (const r of all) {
            if (r.first > next) {
                break;
            }
            if (r.last + 1n > next) {
                next = r.last + 1n;
            }
        }
        if (next === 1n << BigInt(BITS[family])) {
            covered.push(family);
        }
    }
    return covered;
}

/** The whole-internet range of a family, for messages. */
export const WORLD = { 4: "0.0.0.0/0", 6: "::/0" } as const;
