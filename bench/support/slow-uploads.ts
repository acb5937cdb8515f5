/**
 * A hostile neighbour for bench/http: `count` connections that each start a 1 MB upload
 * (`POST /api/scan/file`, the multipart head and 4 bytes) and then send nothing. A connection the
 * server closes (429 beyond the token's share, 408 when its body deadline passes) is opened again
 * after `retryMs`, so the pressure stays on for the whole run.
 */
import { connect, type Socket } from 'node:net';

export interface SlowUploads {
  /** Answers the server gave, by status line (e.g. `429`, `408`). */
  answers: Map<string, number>;
  stop(): void;
}

const BOUNDARY = 'benchboundary';

export function startSlowUploads(url: string, token: string, count: number, retryMs = 1000): SlowUploads {
  const { hostname, port } = new URL(url);
  const answers = new Map<string, number>();
  const sockets = new Set<Socket>();
  let stopped = false;
  const request =
    `POST /api/scan/file HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: 1000000\r\n\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n\r\nabcd`;
  const open = () => {
    if (stopped) return;
    const socket = connect(Number(port), hostname);
    sockets.add(socket);
    let first = true;
    socket.on('data', (chunk) => {
      if (!first) return;
      first = false;
      const status = String(chunk).slice(9, 12);
      answers.set(status, (answers.get(status) ?? 0) + 1);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      if (!stopped) setTimeout(open, retryMs).unref();
    });
    socket.once('connect', () => socket.write(request));
  };
  for (let i = 0; i < count; i++) open();
  return {
    answers,
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

// As a process of its own (so its work does not compete with the load generator's thread):
// `slow-uploads.ts <url> <token> <count>` runs until stdin closes, then prints the answers as JSON.
if (process.argv[1]?.endsWith('slow-uploads.ts') && process.argv.length >= 5) {
  const [url, token, count] = process.argv.slice(2) as [string, string, string];
  const run = startSlowUploads(url, token, Number(count));
  process.stdin.resume();
  process.stdin.on('end', () => {
    run.stop();
    process.stdout.write(`${JSON.stringify(Object.fromEntries(run.answers))}\n`);
    process.exit(0);
  });
}
