// Linux's socket tables (/proc/net/tcp, tcp6, udp, udp6) parsed into listening sockets, and
// the socket inodes of each process (/proc/<pid>/fd links `socket:[inode]`), so a listener
// can be named by its process where the agent may look (root, or the same user).

export type ListenProto = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface ListeningSocket {
  proto: ListenProto;
  address: string;
  port: number;
  inode: number;
}

/** TCP_LISTEN; for UDP, TCP_CLOSE (07) with no remote end is a bound, unconnected socket. */
const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/**
 * One table's text. Addresses are hex in host byte order per 32-bit word (little-endian on
 * every platform Meridian builds for): `0100007F:0016` is 127.0.0.1:22.
 */
export function parseProcNet(text: string, proto: ListenProto): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  const udp = proto.startsWith('udp');
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [local, remote, state, , , , , , inode] = f.slice(1, 10);
    if (udp ? state !== UDP_UNCONNECTED || !remote!.endsWith(':0000') : state !== TCP_LISTEN)
      continue;
    const m = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(local!);
    if (!m) continue;
    const address = decodeAddress(m[1]!);
    if (address === null) continue;
    out.push({ proto, address, port: parseInt(m[2]!, 16), inode: Number(inode) });
  }
  return out;
}

function decodeAddress(hex: string): string | null {
  if (hex.length === 8) return wordBytes(hex).join('.');
  if (hex.length !== 32) return null;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The URL parser writes IPv6 in its canonical short form (RFC 5952): ::, ::1, fe80::1.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** A 32-bit word's bytes in memory order (little-endian host). */
function wordBytes(word: string): number[] {
  const b = [0, 2, 4, 6].map((i) => parseInt(word.slice(i, i + 2), 16));
  return b.reverse();
}

/** `socket:[12345]` → 12345; anything else null. */
export function socketInode(link: string): number | null {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : null;
}
