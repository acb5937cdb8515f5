/**
 * Paths of the shared real Cowrie logs, for tests and the bench. They live in the corpus beside the
 * repository (../shared); tests that read them pass `{ skip: COWRIE_SKIP }`, so a fresh clone
 * without the corpus skips them with a note instead of failing.
 */
import { fileURLToPath } from 'node:url';
import { skipWithoutShared } from '../test-support/shared-corpus.js';

/** False when the shared Cowrie logs are there; else the note node:test prints for a skipped test. */
export const COWRIE_SKIP = skipWithoutShared('data/cowrie');

export const COWRIE_DATA_DIR = fileURLToPath(new URL('../../../shared/data/cowrie/', import.meta.url));

export const COWRIE_LOGS = {
  kareiva2018: `${COWRIE_DATA_DIR}kareiva__cowrie.json.2018-06-12`,
  pittman2020: `${COWRIE_DATA_DIR}jasonmpittman__cowrie.json.2020-03-19`,
  redirect2023: `${COWRIE_DATA_DIR}honeypot-ai__204.76.203.13__cowrie.2023-11-30.json`,
  telnet2023: `${COWRIE_DATA_DIR}honeypot-ai__telnet__cowrie.2023-12-13.json`,
  scp2024: `${COWRIE_DATA_DIR}honeypot-ai__botnet-scp__cowrie.2024-01-28.json`,
  prabhath2026: `${COWRIE_DATA_DIR}prabhath__cowrie_2026-03-25.json`,
} as const;

