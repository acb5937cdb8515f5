/** Reading secrets: hidden (no echo) on a terminal, or lines from a pipe (`echo $KEY | vtg config init`). */
import type { CliIo } from './io.js';

export class PromptAborted extends Error {
  override name = 'PromptAborted';
}

/** Reads one line from a TTY without echoing it. Ctrl-C aborts; backspace edits. */
export function readHidden(io: CliIo, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
  return new Promise((resolve, reject) => {
    // Echo goes off before the prompt appears: a key typed (or pasted) as soon as the prompt
    // shows must never reach the screen.
    const wasRaw = (stdin as { isRaw?: boolean }).isRaw === true;
    stdin.setRawMode?.(true);
    stderr.write(prompt);
    let value = '';
    stdin.resume();
    const finish = (err?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(wasRaw);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new PromptAborted('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Reads one visible line from a TTY. */
export function readVisible(io: CliIo, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
  return new Promise((resolve) => {
    stderr.write(prompt);
    let value = '';
    stdin.resume();
    const onData = (chunk: Buffer | string) => {
      value += chunk.toString();
      const nl = value.indexOf('\n');
      if (nl >= 0) {
        stdin.removeListener('data', onData);
        stdin.pause();
        resolve(value.slice(0, nl).replace(/\r$/, ''));
      }
    };
    stdin.on('data', onData);
  });
}
