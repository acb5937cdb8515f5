export { detectArchive, fileType } from './detect.js';
export { type ArchiveScanDeps, type ArchiveScanOptions, hashAll, type LookupAnswer, scanArchiveBuffer } from './scanner.js';
export { type ContentHost, type ContentScanOptions, ContentService, type ContentServiceOptions, InputError, MAX_INPUT_BYTES, type UploadPolicy, type YaraSighting } from './service.js';
export * from './types.js';
