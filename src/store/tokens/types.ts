export type TokenRole = 'admin' | 'analyst' | 'reader';

/** Whether scans on a token's behalf may upload files to VirusTotal (which shares uploads with its partners). */
export type TokenUploadPolicy = 'never' | 'unknown-only' | 'always';

/** A client token as stored: never the token itself, never its hash. */
export interface TokenRecord {
  id: string;
  name: string;
  role: TokenRole;
  /** Max upstream calls per UTC day charged to this token, or null for no cap. */
  dailyBudget: number | null;
  /** Set by an admin; null: the server's default (`content.uploads`). */
  uploadPolicy: TokenUploadPolicy | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface NewToken {
  name: string;
  role: TokenRole;
  dailyBudget?: number | null;
  uploadPolicy?: TokenUploadPolicy | null;
}

/** What `update` changes on a live token; an absent field is left as it is, null clears it. */
export interface TokenChanges {
  dailyBudget?: number | null;
  uploadPolicy?: TokenUploadPolicy | null;
}

export interface CreatedToken {
  /** Shown once to the caller; only its sha256 is stored. */
  token: string;
  record: TokenRecord;
}
