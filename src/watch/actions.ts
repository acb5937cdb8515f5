/** What `vtg watch` does with a file whose verdict is malicious: move it, run a command, or POST a webhook. */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { checkWebhookTarget, postWebhook } from '../webhooks/index.js';

export type WatchAction = { kind: 'move'; dir: string } | { kind: 'exec'; command: string } | { kind: 'webhook'; url: string };

export class ActionSpecError extends Error {
  override name = 'ActionSpecError';
}

/** `move:<dir>`, `exec:<cmd>` or `webhook:<url>`. */
export function parseAction(spec: string): WatchAction {
  const i = spec.indexOf(':');
  const kind = i < 0 ? spec : spec.slice(0, i);
  const arg = i < 0 ? '' : spec.slice(i + 1);
  if (kind === 'move' && arg) return { kind, dir: arg };
  if (kind === 'exec' && arg) return { kind, command: arg };
  if (kind === 'webhook' && arg) return { kind, url: arg };
  throw new ActionSpecError(`--on-malicious must be move:<dir>, exec:<command> or webhook:<url>, got "${spec}"`);
}

export interface Verdicted {
  path: string;
  sha256: string;
  verdict: string;
  detections: number | null;
  yara: string[];
}

export async function runAction(
  action: WatchAction,
  file: Verdicted,
  options: { webhookAllowlist: readonly string[]; env?: Record<string, string | undefined> },
): Promise<string> {
  switch (action.kind) {
    case 'move': {
      // Quarantine under the file's hash: the original name never decides where it lands.
      await mkdir(action.dir, { recursive: true, mode: 0o700 });
      const dest = join(action.dir, `${file.sha256}.quarantine`);
      try {
        await rename(file.path, dest);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
        await copyFile(file.path, dest);
        await unlink(file.path);
      }
      return `moved to ${dest}`;
    }
    case 'exec': {
      // No shell: the command is split on spaces and the file path is one more argument.
      const [cmd, ...args] = action.command.split(/\s+/).filter(Boolean);
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(cmd as string, [...args, file.path], {
          stdio: 'ignore',
          env: { ...options.env, VTG_FILE: file.path, VTG_SHA256: file.sha256, VTG_VERDICT: file.verdict },
        });
        child.on('error', reject);
        child.on('exit', (c) => resolve(c ?? 1));
      });
      return `ran ${cmd} (exit ${code})`;
    }
    case 'webhook': {
      const target = await checkWebhookTarget(action.url, { allowlist: options.webhookAllowlist });
      const r = await postWebhook(target, JSON.stringify({ event: 'watch.malicious', ...file, at: Date.now() }), { 'X-VTG-Event': 'watch.malicious' }, 10_000);
      return r.ok ? `webhook answered ${r.status}` : `webhook failed: ${r.error}`;
    }
  }
}
