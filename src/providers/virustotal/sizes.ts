/** VirusTotal's upload sizes, apart from the client so the engine can check a file without loading it. */

/** Files under this size go straight to POST /files; larger ones through an upload URL. */
export const DIRECT_UPLOAD_LIMIT = 32 * 1024 * 1024;
/** VirusTotal refuses files above this size. */
export const MAX_UPLOAD_SIZE = 650 * 1024 * 1024;
