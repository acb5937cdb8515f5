/** The Redis governor's connection: opening it, its scripts, and telling outages from bugs. */
import { Redis } from 'ioredis';
import { ACQUIRE_LUA, PAUSE_LUA, PUSH_LUA, RECONCILE_LUA, RELEASE_LUA } from './redis-scripts.js';

/** {code, wait, reason, minuteUsed, hourUsed, dayUsed, monthUsed} (see ACQUIRE_LUA) */
export type ScriptReply = [number, number, string, number, number, number, number];

export interface ScriptClient {
  vtgAcquire(...args: Array<string | number>): Promise<ScriptReply>;
  vtgPush(...args: string[]): Promise<number>;
  vtgReconcile(...args: Array<string | number>): Promise<number>;
  vtgPause(...args: Array<string | number>): Promise<number>;
  vtgRelease(...args: Array<string | number>): Promise<number>;
}

/** A URL opens a connection the governor owns (and closes); a client is used as given. */
export function openConnection(redis: string | Redis): { redis: Redis; owns: boolean } {
  if (typeof redis !== 'string') return { redis, owns: false };
  return {
    redis: new Redis(redis, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1000,
      commandTimeout: 2000,
      retryStrategy: (times) => Math.min(50 * times, 500),
    }),
    owns: true,
  };
}

export function defineScripts(redis: Redis): ScriptClient {
  redis.defineCommand('vtgAcquire', { numberOfKeys: 9, lua: ACQUIRE_LUA });
  redis.defineCommand('vtgPush', { numberOfKeys: 9, lua: PUSH_LUA });
  redis.defineCommand('vtgReconcile', { numberOfKeys: 4, lua: RECONCILE_LUA });
  redis.defineCommand('vtgPause', { numberOfKeys: 1, lua: PAUSE_LUA });
  redis.defineCommand('vtgRelease', { numberOfKeys: 6, lua: RELEASE_LUA });
  return redis as unknown as ScriptClient;
}

/** Resolves when the first connection attempt ends either way (bounded in real time). */
export function firstContact(redis: Redis): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('error', done);
      redis.off('end', done);
      resolve();
    };
    const timer = setTimeout(done, 2000);
    timer.unref();
    redis.once('ready', done);
    redis.once('error', done);
    redis.once('end', done);
  });
}

/** A lost or refused connection (serve from the local share), as opposed to a script error (a bug). */
export function isConnectionError(err: unknown): boolean {
  return !(err instanceof Error && err.name === 'ReplyError');
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
