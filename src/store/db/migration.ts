import type { Dialect } from './dialect.js';

/** One schema step. Applied once, in its own transaction, in version order. Never edit a released one: add a new one. */
export interface Migration {
  version: number;
  name: string;
  statements(d: Dialect): string[];
}
