/**
 * The entry of `vtg lookup` (and its alias `l`): in the full command tree (registry.ts) and alone in
 * the lookup bundle (lookup-main.ts), which must not import the registry (it would bundle every command).
 */
import type { CommandEntry } from './program.js';

export const LOOKUP: CommandEntry = { names: ['lookup', 'l'], load: async () => (await import('./commands/lookup.js')).registerLookup };
