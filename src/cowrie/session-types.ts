/** What the session builder (sessions.ts) makes of a Cowrie session's events. */

export interface CowrieLogin {
  username: string | null;
  password: string | null;
  success: boolean;
  at: number | null;
  /** Public-key attempts carry a fingerprint instead of a password. */
  fingerprint?: string;
}

export interface CowrieDownload {
  url?: string;
  sha256?: string;
  outfile?: string;
  /** "" for stdin captures (`scp -t`), a path for redirect captures. */
  destfile?: string;
  filename?: string;
  failed?: boolean;
  at: number | null;
}

export interface CowrieUpload {
  filename?: string;
  sha256?: string;
  outfile?: string;
  destfile?: string;
  at: number | null;
}

export interface CowrieSession {
  session: string;
  srcIp: string | null;
  srcPort: number | null;
  dstIp: string | null;
  dstPort: number | null;
  /** 'ssh', 'telnet', or null when no event said. */
  protocol: string | null;
  sensor: string | null;
  startAt: number | null;
  endAt: number | null;
  durationMs: number | null;
  clientVersion: string | null;
  hassh?: string;
  arch?: string;
  logins: CowrieLogin[];
  commands: string[];
  downloads: CowrieDownload[];
  uploads: CowrieUpload[];
  /** Events of the session seen in the input. */
  events: number;
  /** Ended by `cowrie.session.closed` (false when flushed at end of input). */
  closed: boolean;
  /** Events that arrived after the session had been closed and emitted. */
  fragment?: boolean;
  /** Commands dropped beyond the per-session cap. */
  droppedCommands?: number;
  /** Closed without a close event: idle longer than the builder's idle limit, or evicted at its cap. */
  idleClosed?: boolean;
  /** `cowrie.direct-tcpip.request` destinations (`host:port`), in order (capped like commands). */
  tunnels?: string[];
}
