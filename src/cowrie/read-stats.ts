/**
 * One log line to one event, and the counters of a read: shared by the batch reader and the follower.
 * With `fields: 'report'` most lines are read light, without JSON.parse (see light-event.ts).
 */
import { type CowrieEvent, KNOWN_EVENT_IDS } from './events.js';
import { type EventIdInfo, eventIdInfo, lightEvent } from './light-event.js';
import type { RawLine } from './lines.js';

export interface ReadProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  lines: number;
  badLines: number;
}

export type BadLineReason = 'malformed' | 'truncated' | 'too_long' | 'not_an_event';

export interface BadLineSample {
  file: string;
  line: number;
  reason: BadLineReason;
  /** The first 120 characters of the line. */
  preview: string;
}

export interface CowrieFileStats {
  file: string;
  gzip: boolean;
  /** File size (compressed size for gzip). */
  bytesTotal: number;
  /** Bytes of the file consumed in this run. */
  bytesRead: number;
  /** Where this run started (non-zero when resuming). */
  startOffset: number;
  lines: number;
  events: number;
  /** Malformed + truncated + too long + not an event. */
  badLines: number;
  truncatedLines: number;
  /** Unchanged since the last run (gzip done, or nothing new): nothing was read. */
  unchanged: boolean;
  /** Why the file could not be read (fully), if so. */
  error?: string;
}

export interface CowrieReadStats {
  files: CowrieFileStats[];
  lines: number;
  events: number;
  badLines: number;
  truncatedLines: number;
  bytesRead: number;
  /** Event ids not in Cowrie's list, with counts (the events are still passed on). */
  unknownEvents: Record<string, number>;
  /** Files that could not be read to the end. */
  fileErrors: number;
  /** The first few bad lines, for the report. */
  badLineSamples: BadLineSample[];
}

export function createReadStats(): CowrieReadStats {
  return {
    files: [],
    lines: 0,
    events: 0,
    badLines: 0,
    truncatedLines: 0,
    bytesRead: 0,
    unknownEvents: {},
    fileErrors: 0,
    badLineSamples: [],
  };
}


export interface LineOptions {
  /** How many bad lines to keep as samples (default 20). */
  maxBadLineSamples?: number;
  /** 'all' (default): every event fully parsed. 'report': events the report ignores get their id, session, time and address only (see above). */
  fields?: 'all' | 'report';
}

function blank(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  return (c === 32 || c === 9 || c === 13 || c === 10) && text.trim() === '';
}

/** Parses one line into an event, or says why it is not one. */
export function parseEventLine(text: string): { event: Record<string, unknown> } | { bad: BadLineReason } {
  const parsed = parseEvent(text);
  return typeof parsed === 'string' ? { bad: parsed } : { event: parsed };
}

/** One line's event, or why it is not one (without a wrapper object: this runs for every line). */
function parseEvent(text: string): Record<string, unknown> | BadLineReason {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'malformed';
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not_an_event';
  const eventid = (parsed as Record<string, unknown>).eventid;
  if (typeof eventid !== 'string' || eventid === '') return 'not_an_event';
  return parsed as Record<string, unknown>;
}

export function newFileStats(file: string, gzip: boolean): CowrieFileStats {
  return {
    file,
    gzip,
    bytesTotal: 0,
    bytesRead: 0,
    startOffset: 0,
    lines: 0,
    events: 0,
    badLines: 0,
    truncatedLines: 0,
    unchanged: false,
  };
}

/** Counts an event; `info` when its id was read from the line and is the parsed event's. */
function counted(event: CowrieEvent, fileStats: CowrieFileStats, stats: CowrieReadStats, info: EventIdInfo | undefined): CowrieEvent {
  fileStats.events++;
  stats.events++;
  let known: boolean;
  if (info !== undefined && event.eventid === info.id) {
    event.eventid = info.id; // one copy for every event: compared by reference from here on
    known = info.known;
  } else known = KNOWN_EVENT_IDS.has(event.eventid);
  if (!known) stats.unknownEvents[event.eventid] = (stats.unknownEvents[event.eventid] ?? 0) + 1;
  return event;
}

/**
 * Handles one line: the event to pass on; undefined for a blank or bad line (counted, consumed);
 * 'pending' for a half-written tail (counted as truncated, not consumed).
 */
export function lineEvent(
  line: RawLine,
  lineNo: number,
  fileStats: CowrieFileStats,
  stats: CowrieReadStats,
  options: LineOptions,
): CowrieEvent | undefined | 'pending' {
  let reason: BadLineReason;
  if (line.tooLong) reason = 'too_long';
  else if (blank(line.text)) return undefined;
  else {
    const info = options.fields === 'report' && line.complete ? eventIdInfo(line.text) : undefined;
    const light = info === undefined ? undefined : lightEvent(line.text, info, fileStats.file, lineNo);
    if (light !== undefined) return counted(light, fileStats, stats, info);
    const parsed = parseEvent(line.text);
    if (typeof parsed !== 'string') {
      const event = parsed as CowrieEvent;
      event._file = fileStats.file;
      event._line = lineNo;
      return counted(event, fileStats, stats, info);
    }
    reason = line.complete ? parsed : 'truncated';
  }
  fileStats.badLines++;
  stats.badLines++;
  if (reason === 'truncated') {
    fileStats.truncatedLines++;
    stats.truncatedLines++;
  }
  if (stats.badLineSamples.length < (options.maxBadLineSamples ?? 20)) {
    stats.badLineSamples.push({ file: fileStats.file, line: lineNo, reason, preview: line.text.slice(0, 120) });
  }
  // A half-written tail is not consumed: the next run reads it again once it is complete.
  return reason === 'truncated' ? 'pending' : undefined;
}

