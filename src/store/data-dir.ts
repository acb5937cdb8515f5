import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the gateway keeps its data: `VTG_DATA_DIR`, else `$XDG_DATA_HOME/vt-gateway`, else `~/.local/share/vt-gateway`. */
export function defaultDataDir(env: Record<string, string | undefined>): string {
  if (env.VTG_DATA_DIR) return env.VTG_DATA_DIR;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'vt-gateway');
  return join(env.HOME || homedir(), '.local', 'share', 'vt-gateway');
}
