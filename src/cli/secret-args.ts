/** The VirusTotal key is never accepted on the command line (argv is visible to every local user). */
import { UsageError } from './errors.js';

const KEY_FLAGS = /^(?:--apikey|--api-key|--key|--vt-key|--vt-api-key|-k)(?:=.*)?$/i;

/** Throws (exit 2) when argv tries to pass a key; the message never repeats the value. */
export function rejectKeyArguments(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    if (KEY_FLAGS.test(arg)) {
      const flag = arg.split('=')[0];
      throw new UsageError(
        `${flag} is not accepted: API keys on the command line are visible to other users of this machine. ` +
          'Set VT_API_KEY in the environment, or store the key with `vtg config init` (reads it without echo).',
      );
    }
  }
}
