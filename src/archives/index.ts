export { detectArchive, fileType } from './detect.js';
export { type ArchiveScanDeps, type ArchiveScanOptions, hashAll, type LookupAnswer, scanArchiveBuffer } from './scanner.js';
export * from './types.js';
