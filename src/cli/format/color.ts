/** ANSI colours, applied only when the output is a terminal and colour is not turned off. */
import type { Verdict } from '../../providers/types.js';

const CODES = { red: [31, 39], yellow: [33, 39], green: [32, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] } as const;
export type ColorName = keyof typeof CODES;

export type Paint = (name: ColorName, text: string) => string;

export const noPaint: Paint = (_name, text) => text;

export const ansiPaint: Paint = (name, text) => {
  const [open, close] = CODES[name];
  return text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`;
};

const ANSI = /\u001b\[[0-9;]*m/g;

/** Visible width of a string that may hold colour codes. */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** True when colour is wanted: a TTY, no NO_COLOR in the environment and no --no-color. */
export function wantsColor(isTTY: boolean | undefined, env: NodeJS.ProcessEnv, flag: boolean): boolean {
  if (!flag || !isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

export function verdictColor(verdict: Verdict | string | undefined): ColorName | undefined {
  switch (verdict) {
    case 'malicious':
      return 'red';
    case 'suspicious':
      return 'yellow';
    case 'harmless':
    case 'undetected':
      return 'green';
    case 'not_found':
      return 'dim';
    default:
      return undefined;
  }
}

export function paintVerdict(paint: Paint, verdict: string): string {
  const color = verdictColor(verdict);
  return color ? paint(color, verdict) : verdict;
}
