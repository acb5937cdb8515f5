export type TokenRole = 'admin' | 'analyst' | 'reader';

/** A client token as stored: never the token itself, never its hash. */
export interface TokenRecord {
  id: string;
  name: string;
  role: TokenRole;
  /** Max upstream calls per UTC day charged to this token, or null for no cap. */
  dailyBudget: number | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface NewToken {
  name: string;
  role: TokenRole;
  dailyBudget?: number | null;
}

export interface CreatedToken {
  /** Shown once to the caller; only its sha256 is stored. */
  token: string;
  record: TokenRecord;
}
