/** Minimal IPv4 CIDR arithmetic for laying out subnets the way awsx's "Auto" strategy does. */

export interface Block {
    /** First address as an unsigned 32-bit number. */
    base: number;
    bits: number;
}

export function parseBlock(cidr: string): Block {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const bits = m ? Number(m[5]) : NaN;
    if (!m || octets.some((o) => o > 255) || bits > 32) {
        throw new Error(`expected an IPv4 CIDR block such as 10.0.0.0/16, got '${cidr}'`);
    }
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    return block(address, bits);
}

/** The block of `bits` that contains `address`. */
export function block(address: number, bits: number): Block {
    const size = 2 ** (32 - bits);
    return { base: Math.floor(address / size) * size, bits };
}

export function size(b: Block): number {
    return 2 ** (32 - b.bits);
}

export function last(b: Block): number {
    return b.base + size(b) - 1;
}

/** The block of the same size right after `b`. */
export function next(b: Block): Block {
    return { base: b.base + size(b), bits: b.bits };
}

/** The first block of `bits` after `previous` that does not overlap it (alignment leaves a gap when growing). */
export function nextAligned(previous: Block, bits: number): Block {
    return next(block(last(previous), bits));
}

export function format(b: Block): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(b.base / 2 ** shift) % 256);
    return `${octets.join(".")}/${b.bits}`;
}
