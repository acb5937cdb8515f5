/** One local YARA rule that matched a file (the shape archives/ reports, stored as JSON). */
export interface StoredYaraMatch {
  rule: string;
  namespace?: string;
  tags: string[];
  meta: Record<string, unknown>;
  offsets: number[];
}

/** The local rules' answer about one file at one time: history's record of a YARA match. */
export interface YaraObservation {
  sha256: string;
  sha1: string;
  md5: string;
  /** Epoch ms (UTC) of the scan. */
  at: number;
  /** Where the file was seen: an archive member path (`outer.zip!/inner.exe`), a fetched URL without its query, a watched path. */
  name: string;
  matches: StoredYaraMatch[];
}
