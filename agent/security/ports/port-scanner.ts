// One scan of the host's listening sockets, with their processes where permitted. Reads
// /proc (or another root, for tests); the process lookup walks /proc/<pid>/fd only when a
// scan found a listener it had not seen, since that walk touches every open file.
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProcNet, socketInode, type ListenProto, type ListeningSocket } from './proc-net.js';

export interface Listener {
  proto: ListenProto;
  address: string;
  port: number;
  /** The owning process's name and id, when the agent may see them. */
  process?: string;
  pid?: number;
}

export const listenerKey = (l: Pick<Listener, 'proto' | 'address' | 'port'>) =>
  `${l.proto} ${l.address}:${l.port}`;

export async function readListening(
  procRoot: string,
  protos: readonly ListenProto[],
): Promise<ListeningSocket[]> {
  const out: ListeningSocket[] = [];
  for (const proto of protos) {
    let text: string;
    try {
      text = await readFile(join(procRoot, 'net', proto), 'utf8');
    } catch {
      continue; // tcp6 is absent on a kernel without IPv6
    }
    out.push(...parseProcNet(text, proto));
  }
  return out;
}

/** inode → process for the inodes asked about; processes the agent may not look into are skipped. */
export async function processesOf(
  procRoot: string,
  inodes: ReadonlySet<number>,
): Promise<Map<number, { pid: number; process: string }>> {
  const found = new Map<number, { pid: number; process: string }>();
  if (inodes.size === 0) return found;
  let pids: string[];
  try {
    pids = (await readdir(procRoot)).filter((d) => /^\d+$/.test(d));
  } catch {
    return found;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(join(procRoot, pid, 'fd'));
    } catch {
      continue; // EACCES (another user's process) or it exited
    }
    for (const fd of fds) {
      let inode: number | null;
      try {
        inode = socketInode(await readlink(join(procRoot, pid, 'fd', fd)));
      } catch {
        continue;
      }
      if (inode === null || !inodes.has(inode) || found.has(inode)) continue;
      let name = '';
      try {
        name = (await readFile(join(procRoot, pid, 'comm'), 'utf8')).trim();
      } catch {
        // Exited meanwhile: the pid alone.
      }
      found.set(inode, { pid: Number(pid), process: name });
    }
    if (found.size === inodes.size) break;
  }
  return found;
}

/** Listening sockets as listeners (one per proto/address/port; SO_REUSEPORT twins merged). */
export async function scanListeners(
  procRoot: string,
  protos: readonly ListenProto[],
  known: ReadonlyMap<string, Listener>,
): Promise<Map<string, Listener>> {
  const sockets = await readListening(procRoot, protos);
  const fresh = new Set<number>();
  for (const s of sockets) if (!known.has(listenerKey(s))) fresh.add(s.inode);
  const owners = await processesOf(procRoot, fresh);
  const out = new Map<string, Listener>();
  for (const s of sockets) {
    const key = listenerKey(s);
    if (out.has(key)) continue;
    const before = known.get(key);
    const owner = owners.get(s.inode);
    out.set(key, {
      proto: s.proto,
      address: s.address,
      port: s.port,
      ...(before?.process !== undefined ? { process: before.process } : {}),
      ...(before?.pid !== undefined ? { pid: before.pid } : {}),
      ...(owner ? { process: owner.process, pid: owner.pid } : {}),
    });
  }
  return out;
}
