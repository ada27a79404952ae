// Which TCP addresses a process listens on, read from /proc (Linux): how the tests prove
// every server the local stack starts is bound to 127.0.0.1 only.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The local addresses ("ip:port") of every TCP socket in LISTEN state owned by `pid`,
 * read from /proc (Linux): the sockets of the process's descriptors matched against
 * /proc/net/tcp and tcp6. The loopback test asserts all of them are 127.0.0.1.
 */
export function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // the descriptor closed while we looked
    }
  }
  const addresses: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      if (local === undefined || state !== '0A' || inode === undefined || !inodes.has(inode)) continue;
      addresses.push(decodeProcAddress(local));
    }
  }
  return addresses;
}

function decodeProcAddress(hex: string): string {
  const [ip = '', port = '0'] = hex.split(':');
  const portNumber = Number.parseInt(port, 16);
  if (ip.length === 8) {
    const bytes = (ip.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)).reverse();
    return `${bytes.join('.')}:${portNumber}`;
  }
  // IPv6: four little-endian 32-bit words. Show IPv4-mapped addresses as IPv4.
  const words = (ip.match(/.{8}/g) ?? []).map((w) => (w.match(/../g) ?? []).reverse().join(''));
  const full = words.join('');
  if (full.startsWith('00000000000000000000ffff')) {
    const v4 = (full.slice(24).match(/../g) ?? []).map((b) => Number.parseInt(b, 16));
    return `${v4.join('.')}:${portNumber}`;
  }
  return `[${(full.match(/.{4}/g) ?? []).join(':')}]:${portNumber}`;
}
