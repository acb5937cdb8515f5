import type { MockFaults, MockQuotaLimits } from './types.js';

const LIMIT_NAMES = ['minute', 'hour', 'day', 'month'] as const;

function entries(text: string, what: string): Array<[string, string | undefined]> {
  if (typeof text !== 'string') throw new TypeError(`${what}: expected a string`);
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [part.toLowerCase(), undefined] : [part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim()];
    });
}

function integer(value: string | undefined, name: string, what: string): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new RangeError(`${what}: "${name}" needs a whole number >= 0 (e.g. ${name}=4), got ${JSON.stringify(value ?? '')}`);
  }
  return Number(value);
}

/** Parses `"minute=4,hour=240,day=500,month=15500"` (any subset). Throws on unknown names or bad numbers. */
export function parseLimits(text: string): MockQuotaLimits {
  const what = 'invalid quota limits';
  const limits: MockQuotaLimits = {};
  for (const [name, value] of entries(text, what)) {
    if (!(LIMIT_NAMES as readonly string[]).includes(name)) {
      throw new RangeError(`${what}: unknown window "${name}" (use ${LIMIT_NAMES.join(', ')})`);
    }
    limits[name as (typeof LIMIT_NAMES)[number]] = integer(value, name, what);
  }
  return limits;
}

function rate(value: string | undefined, name: string, what: string): number {
  const n = value === undefined || value === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new RangeError(`${what}: "${name}" needs a share between 0 and 1 (e.g. ${name}=0.1), got ${JSON.stringify(value ?? '')}`);
  }
  return n;
}

/**
 * Parses `"latency=200,error=0.3,timeout=0.1,drop=0.05,toomany=0.1,storm"`; also `status=502`
 * (the error status) and `seed=N`. Throws on unknown names or bad values.
 */
export function parseFaults(text: string): MockFaults {
  const what = 'invalid faults';
  const faults: MockFaults = {};
  for (const [name, value] of entries(text, what)) {
    switch (name) {
      case 'latency':
        faults.latencyMs = integer(value, name, what);
        break;
      case 'error':
        faults.errorRate = rate(value, name, what);
        break;
      case 'timeout':
        faults.timeoutRate = rate(value, name, what);
        break;
      case 'drop':
        faults.dropRate = rate(value, name, what);
        break;
      case 'toomany':
        faults.tooManyRate = rate(value, name, what);
        break;
      case 'storm':
        if (value !== undefined && !['true', 'false', '1', '0'].includes(value)) {
          throw new RangeError(`${what}: "storm" takes no value (or true/false), got ${JSON.stringify(value)}`);
        }
        faults.quotaStorm = value === undefined || value === 'true' || value === '1';
        break;
      case 'status': {
        const status = integer(value, name, what);
        if (status !== 500 && status !== 502 && status !== 503 && status !== 504) {
          throw new RangeError(`${what}: "status" must be 500, 502, 503 or 504, got ${status}`);
        }
        faults.errorStatus = status;
        break;
      }
      case 'seed':
        faults.seed = integer(value, name, what);
        break;
      default:
        throw new RangeError(`${what}: unknown fault "${name}" (use latency, error, status, timeout, drop, toomany, storm, seed)`);
    }
  }
  const shares = (faults.errorRate ?? 0) + (faults.timeoutRate ?? 0) + (faults.dropRate ?? 0) + (faults.tooManyRate ?? 0);
  if (shares > 1) throw new RangeError(`${what}: error + timeout + drop + toomany add up to ${shares}, more than 1`);
  return faults;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates faults given as an object (options, setFaults, POST /_mock/faults). */
export function checkFaults(value: unknown): MockFaults {
  const what = 'invalid faults';
  if (!isRecord(value)) throw new TypeError(`${what}: expected an object`);
  const out: MockFaults = {};
  for (const [name, v] of Object.entries(value)) {
    if (v === undefined) continue;
    switch (name) {
      case 'latencyMs':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${what}: latencyMs must be a number >= 0`);
        out.latencyMs = v;
        break;
      case 'errorRate':
      case 'timeoutRate':
      case 'dropRate':
      case 'tooManyRate':
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RangeError(`${what}: ${name} must be a share between 0 and 1`);
        out[name] = v;
        break;
      case 'errorStatus':
        if (v !== 500 && v !== 502 && v !== 503 && v !== 504) throw new RangeError(`${what}: errorStatus must be 500, 502, 503 or 504`);
        out.errorStatus = v;
        break;
      case 'quotaStorm':
        if (typeof v !== 'boolean') throw new RangeError(`${what}: quotaStorm must be true or false`);
        out.quotaStorm = v;
        break;
      case 'seed':
        if (typeof v !== 'number' || !Number.isInteger(v)) throw new RangeError(`${what}: seed must be an integer`);
        out.seed = v;
        break;
      default:
        throw new RangeError(`${what}: unknown field "${name}"`);
    }
  }
  const shares = (out.errorRate ?? 0) + (out.timeoutRate ?? 0) + (out.dropRate ?? 0) + (out.tooManyRate ?? 0);
  if (shares > 1) throw new RangeError(`${what}: errorRate + timeoutRate + dropRate + tooManyRate add up to ${shares}, more than 1`);
  return out;
}

/** Validates limits given as an object (options, setLimits, POST /_mock/limits). */
export function checkLimits(value: unknown): MockQuotaLimits {
  const what = 'invalid quota limits';
  if (!isRecord(value)) throw new TypeError(`${what}: expected an object`);
  const out: MockQuotaLimits = {};
  for (const [name, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (!(LIMIT_NAMES as readonly string[]).includes(name)) {
      throw new RangeError(`${what}: unknown window "${name}" (use ${LIMIT_NAMES.join(', ')})`);
    }
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || (Number.isFinite(v) && !Number.isInteger(v))) {
      throw new RangeError(`${what}: ${name} must be a whole number >= 0`);
    }
    out[name as (typeof LIMIT_NAMES)[number]] = v;
  }
  return out;
}
