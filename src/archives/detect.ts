/** Format and file type by content (magic bytes), never by extension. */
import type { ArchiveFormat } from './types.js';

function at(buf: Uint8Array, offset: number, magic: number[]): boolean {
  if (buf.length < offset + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (buf[offset + i] !== magic[i]) return false;
  return true;
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

/** A tar header block: ustar magic, or an old-style header whose checksum adds up. */
export function looksLikeTar(buf: Uint8Array): boolean {
  if (buf.length < 512) return false;
  if (at(buf, 257, ascii('ustar'))) return true;
  const field = Buffer.from(buf.subarray(148, 156)).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]{1,7}$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (buf[i] as number);
  return sum === Number.parseInt(field, 8) && buf[0] !== 0;
}

/** The archive format of `buf`, or null when it is not one we open. */
export function detectArchive(buf: Uint8Array): ArchiveFormat | null {
  if (at(buf, 0, [0x50, 0x4b, 0x03, 0x04]) || at(buf, 0, [0x50, 0x4b, 0x05, 0x06]) || at(buf, 0, [0x50, 0x4b, 0x07, 0x08])) return 'zip';
  if (at(buf, 0, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (at(buf, 0, ascii('Rar!\x1a\x07'))) return 'rar';
  if (at(buf, 0, [0x1f, 0x8b])) return 'gzip';
  if (at(buf, 0, ascii('BZh')) && buf.length > 3 && (buf[3] as number) >= 0x31 && (buf[3] as number) <= 0x39) return 'bzip2';
  if (at(buf, 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (at(buf, 0, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (at(buf, 0, ascii('MSCF\0\0\0\0'))) return 'cab';
  if (at(buf, 0, ascii('!<arch>\n'))) return 'ar';
  if (looksLikeTar(buf)) return 'tar';
  return null;
}

/** Containers we recognise but do not open: reported as `unsupported_format`. */
export function detectUnsupported(buf: Uint8Array): string | null {
  if (at(buf, 0x8001, ascii('CD001'))) return 'iso9660';
  if (at(buf, 2, ascii('-lh'))) return 'lzh';
  if (at(buf, 0, [0x60, 0xea])) return 'arj';
  if (at(buf, 0, ascii('070701')) || at(buf, 0, ascii('070707'))) return 'cpio';
  return null;
}

/** A short file-type name by magic; archives use their format name. */
export function fileType(buf: Uint8Array): string {
  if (buf.length === 0) return 'empty';
  const archive = detectArchive(buf);
  if (archive) return archive;
  const other = detectUnsupported(buf);
  if (other) return other;
  if (at(buf, 0, ascii('MZ'))) return 'pe';
  if (at(buf, 0, [0x7f, 0x45, 0x4c, 0x46])) return 'elf';
  if (at(buf, 0, [0xcf, 0xfa, 0xed, 0xfe]) || at(buf, 0, [0xce, 0xfa, 0xed, 0xfe]) || at(buf, 0, [0xca, 0xfe, 0xba, 0xbe])) return 'macho';
  if (at(buf, 0, ascii('%PDF'))) return 'pdf';
  if (at(buf, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (at(buf, 0, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (at(buf, 0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (at(buf, 0, ascii('GIF8'))) return 'gif';
  if (at(buf, 0, ascii('#!'))) return 'script';
  if (at(buf, 0, [0x00, 0x61, 0x73, 0x6d])) return 'wasm';
  if (at(buf, 0, ascii('{\\rtf'))) return 'rtf';
  const head = buf.subarray(0, 4096);
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0x80) printable++;
  if (printable === head.length && !head.includes(0)) {
    const text = Buffer.from(head).toString('latin1').trimStart().toLowerCase();
    if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'html';
    if (text.startsWith('<?xml')) return 'xml';
    return 'text';
  }
  return 'data';
}

/** The 7-Zip `-t` switch for a format. */
export const SEVEN_ZIP_TYPE: Record<Exclude<ArchiveFormat, 'zstd'>, string> = {
  zip: 'zip',
  '7z': '7z',
  rar: 'rar',
  tar: 'tar',
  gzip: 'gzip',
  bzip2: 'bzip2',
  xz: 'xz',
  cab: 'cab',
  ar: 'ar',
};
