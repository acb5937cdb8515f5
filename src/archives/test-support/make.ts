/**
 * Tiny writers for the archives tests need, so the repository generates its own fixtures:
 * zip (stored or deflated, optional overlapping entries), ustar tar (files, symlinks, hard links,
 * any name), ar (.deb layout) and zstd frames made of raw or RLE blocks.
 */
import { crc32, deflateRawSync, constants as zlibConstants } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** Deflate the data (default true when it is larger than 64 bytes). */
  deflate?: boolean;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** A zip; `overlap` adds that many extra central-directory entries that all point at the first member's data. */
export function makeZip(entries: ZipEntry[], options: { overlap?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const records: Array<{ name: Buffer; crc: number; csize: number; size: number; method: number; offset: number }> = [];
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const deflate = e.deflate ?? e.data.length > 64;
    const body = deflate ? deflateRawSync(e.data) : Buffer.from(e.data);
    const method = deflate ? 8 : 0;
    const crc = crc32(e.data);
    const local = Buffer.concat([u32(0x04034b50), u16(20), u16(0x0800), u16(method), u16(0), u16(0x21), u32(crc), u32(body.length), u32(e.data.length), u16(name.length), u16(0), name]);
    records.push({ name, crc, csize: body.length, size: e.data.length, method, offset });
    parts.push(local, body);
    offset += local.length + body.length;
  }
  const first = records[0];
  for (let i = 0; first && i < (options.overlap ?? 0); i++) records.push({ ...first });
  for (const r of records) {
    central.push(
      Buffer.concat([u32(0x02014b50), u16(0x031e), u16(20), u16(0x0800), u16(r.method), u16(0), u16(0x21), u32(r.crc), u32(r.csize), u32(r.size), u16(r.name.length), u16(0), u16(0), u16(0), u16(0), u32(0o100644 * 65536), u32(r.offset), r.name]),
    );
  }
  const cd = Buffer.concat(central);
  const end = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(records.length), u16(records.length), u32(cd.length), u32(offset), u16(0)]);
  return Buffer.concat([...parts, cd, end]);
}

export interface TarEntry {
  name: string;
  data?: Uint8Array;
  /** '0' file (default), '1' hard link, '2' symlink, '5' directory. */
  type?: '0' | '1' | '2' | '5';
  linkname?: string;
}

export function makeTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    const data = Buffer.from(e.data ?? new Uint8Array(0));
    h.write(e.name.slice(0, 100), 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    if (e.linkname) h.write(e.linkname.slice(0, 100), 157, 'utf8');
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** An ar archive (the .deb container). */
export function makeAr(entries: Array<{ name: string; data: Uint8Array }>): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const e of entries) {
    const h = `${e.name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(e.data.length).padEnd(10)}\`\n`;
    parts.push(Buffer.from(h, 'latin1'), Buffer.from(e.data));
    if (e.data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

const ZSTD_BLOCK = 128 * 1024;

/** A zstd frame of raw blocks (the data as is), or of RLE blocks repeating `rle.byte` `rle.count` times. */
export function makeZstd(data: Uint8Array | null, rle?: { byte: number; count: number }): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  const header = (last: boolean, type: number, size: number) => {
    const v = (last ? 1 : 0) | (type << 1) | (size << 3);
    return Buffer.from([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff]);
  };
  if (rle) {
    for (let left = rle.count; left > 0; left -= ZSTD_BLOCK) {
      const n = Math.min(ZSTD_BLOCK, left);
      parts.push(header(left <= ZSTD_BLOCK, 1, n), Buffer.from([rle.byte]));
    }
  } else if (data) {
    if (data.length === 0) parts.push(header(true, 0, 0));
    for (let o = 0; o < data.length; o += ZSTD_BLOCK) {
      const chunk = data.subarray(o, o + ZSTD_BLOCK);
      parts.push(header(o + ZSTD_BLOCK >= data.length, 0, chunk.length), Buffer.from(chunk));
    }
  }
  return Buffer.concat(parts);
}

export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/**
 * A raw deflate stream of `mib` MiB of zeros built from one flushed 1 MiB block repeated, so a
 * gigabyte bomb costs about a megabyte of memory to make. Returns the stream, its CRC and size.
 */
export function zeroDeflate(mib: number): { raw: Buffer; crc: number; size: number } {
  const mb = Buffer.alloc(1024 * 1024);
  const block = deflateRawSync(mb, { finishFlush: zlibConstants.Z_FULL_FLUSH });
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(mb, crc);
  const parts: Buffer[] = new Array(mib).fill(block);
  parts.push(Buffer.from([0x03, 0x00]));
  return { raw: Buffer.concat(parts), crc, size: mib * 1024 * 1024 };
}

/** A zip with one deflated entry of `mib` MiB of zeros (declared sizes honest, like a classic bomb). */
export function zipBomb(mib: number, name = 'zeros.bin'): Buffer {
  const { raw, crc, size } = zeroDeflate(mib);
  const n = Buffer.from(name);
  const local = Buffer.concat([u32(0x04034b50), u16(20), u16(0), u16(8), u16(0), u16(0x21), u32(crc), u32(raw.length), u32(size), u16(n.length), u16(0), n]);
  const cd = Buffer.concat([u32(0x02014b50), u16(0x031e), u16(20), u16(0), u16(8), u16(0), u16(0x21), u32(crc), u32(raw.length), u32(size), u16(n.length), u16(0), u16(0), u16(0), u16(0), u32(0o100644 * 65536), u32(0), n]);
  const end = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(1), u16(1), u32(cd.length), u32(local.length + raw.length), u16(0)]);
  return Buffer.concat([local, raw, cd, end]);
}

/** A gzip stream of `mib` MiB of zeros. */
export function gzipBomb(mib: number): Buffer {
  const { raw, crc, size } = zeroDeflate(mib);
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), raw, u32(crc), u32(size % 2 ** 32)]);
}

/** A Microsoft CAB with one uncompressed folder (checksums left 0, which the format allows). */
export function makeCab(files: Array<{ name: string; data: Uint8Array }>): Buffer {
  const data = Buffer.concat(files.map((f) => Buffer.from(f.data)));
  const names = files.map((f) => Buffer.from(`${f.name}\0`, 'latin1'));
  const fileRecords = 16 * files.length + names.reduce((a, n) => a + n.length, 0);
  const headerSize = 36;
  const folderSize = 8;
  const coffFiles = headerSize + folderSize;
  const dataStart = coffFiles + fileRecords;
  const total = dataStart + 8 + data.length;
  const h = Buffer.alloc(headerSize);
  h.write('MSCF', 0, 'latin1');
  h.writeUInt32LE(total, 8);
  h.writeUInt32LE(coffFiles, 16);
  h.writeUInt8(3, 24); // version minor
  h.writeUInt8(1, 25); // version major
  h.writeUInt16LE(1, 26); // folders
  h.writeUInt16LE(files.length, 28);
  const folder = Buffer.alloc(folderSize);
  folder.writeUInt32LE(dataStart, 0);
  folder.writeUInt16LE(1, 4); // one CFDATA block
  folder.writeUInt16LE(0, 6); // no compression
  const recs: Buffer[] = [];
  let offset = 0;
  files.forEach((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(f.data.length, 0);
    r.writeUInt32LE(offset, 4);
    r.writeUInt16LE(0, 8); // folder 0
    r.writeUInt16LE(0x21, 10); // date
    r.writeUInt16LE(0x20, 14); // attribs: archive
    recs.push(r, names[i] as Buffer);
    offset += f.data.length;
  });
  const block = Buffer.alloc(8);
  block.writeUInt16LE(data.length, 4);
  block.writeUInt16LE(data.length, 6);
  return Buffer.concat([h, folder, ...recs, block, data]);
}
