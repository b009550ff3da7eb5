// A small ZIP (and so JAR) writer and reader: enough for Keycloak provider jars, no dependency.
// Entries are deflated (or stored when that is not smaller), names are UTF-8, and every entry
// carries the same fixed timestamp so that the same input gives byte-identical jars.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** One file (or, with a trailing `/` and no data, one directory) inside a zip. */
export interface ZipEntry {
  path: string;
  data: Buffer;
}

/** What the central directory says about one entry. */
export interface ZipListing {
  path: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const END_SIG = 0x06054b50;
const UTF8_FLAG = 0x0800;
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

/** CRC-32 as ZIP uses it (zlib.crc32 only exists from Node 20.15 on). */
export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface Packed {
  name: Buffer;
  method: number;
  crc: number;
  body: Buffer;
  size: number;
  offset: number;
}

function pack(entry: ZipEntry, offset: number): Packed {
  const name = Buffer.from(entry.path, 'utf8');
  const deflated = deflateRawSync(entry.data, { level: 9 });
  const store = deflated.length >= entry.data.length;
  const body = store ? entry.data : deflated;
  return {
    name,
    method: store ? 0 : 8,
    crc: crc32(entry.data),
    body,
    size: entry.data.length,
    offset,
  };
}

function header(p: Packed, central: boolean): Buffer {
  const b = Buffer.alloc(central ? 46 : 30);
  let o = b.writeUInt32LE(central ? CENTRAL_SIG : LOCAL_SIG, 0);
  if (central) {
    o = b.writeUInt16LE(20, o);
  } // version made by: 2.0, MS-DOS attributes
  o = b.writeUInt16LE(20, o); // version needed to extract
  o = b.writeUInt16LE(UTF8_FLAG, o);
  o = b.writeUInt16LE(p.method, o);
  o = b.writeUInt16LE(0, o); // time 00:00:00
  o = b.writeUInt16LE(DOS_DATE_1980_01_01, o);
  o = b.writeUInt32LE(p.crc, o);
  o = b.writeUInt32LE(p.body.length, o);
  o = b.writeUInt32LE(p.size, o);
  o = b.writeUInt16LE(p.name.length, o);
  b.writeUInt16LE(0, o); // extra field length
  // Central only: comment length, disk, attributes stay 0; then where the local header starts.
  if (central) {
    b.writeUInt32LE(p.offset, 42);
  }
  return Buffer.concat([b, p.name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(END_SIG, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(size, 12);
  b.writeUInt32LE(offset, 16);
  return b;
}

/** Builds a zip archive in memory. Paths use `/`; duplicates are a programmer error. */
export function zip(entries: readonly ZipEntry[]): Buffer {
  const seen = new Set<string>();
  const parts: Buffer[] = [];
  const packed: Packed[] = [];
  let offset = 0;
  for (const entry of entries) {
    if (seen.has(entry.path)) {
      throw new TypeError(`duplicate zip entry: ${entry.path}`);
    }
    seen.add(entry.path);
    const p = pack(entry, offset);
    const local = header(p, false);
    parts.push(local, p.body);
    packed.push(p);
    offset += local.length + p.body.length;
  }
  const central = Buffer.concat(packed.map((p) => header(p, true)));
  return Buffer.concat([
    ...parts,
    central,
    endOfCentralDirectory(packed.length, central.length, offset),
  ]);
}

/** Writes a zip (a jar, for Keycloak) to `file`, creating its folder. */
export function writeZip(entries: readonly ZipEntry[], file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, zip(entries));
}

/** Adds the directory entries (`a/`, `a/b/`) that jar tools write, for the given files. */
export function withDirectories(entries: readonly ZipEntry[]): ZipEntry[] {
  const dirs = new Set<string>();
  for (const { path } of entries) {
    const segments = path.split('/').slice(0, -1);
    segments.forEach((_, i) => dirs.add(segments.slice(0, i + 1).join('/') + '/'));
  }
  const dirEntries = [...dirs].sort().map((path) => ({ path, data: Buffer.alloc(0) }));
  return [...dirEntries, ...entries];
}

/** Reads the central directory of a zip. */
export function listZip(archive: Buffer): ZipListing[] {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) {
    throw new Error('not a zip: no end of central directory');
  }
  const count = archive.readUInt16LE(end + 10);
  let o = archive.readUInt32LE(end + 16);
  const out: ZipListing[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(o) !== CENTRAL_SIG) {
      throw new Error(`bad central directory entry ${i}`);
    }
    const nameLength = archive.readUInt16LE(o + 28);
    const skip = archive.readUInt16LE(o + 30) + archive.readUInt16LE(o + 32);
    out.push({
      path: archive.toString('utf8', o + 46, o + 46 + nameLength),
      method: archive.readUInt16LE(o + 10),
      crc32: archive.readUInt32LE(o + 16),
      compressedSize: archive.readUInt32LE(o + 20),
      size: archive.readUInt32LE(o + 24),
      localHeaderOffset: archive.readUInt32LE(o + 42),
    });
    o += 46 + nameLength + skip;
  }
  return out;
}

/** Reads every entry back, checking each one's CRC. */
export function readZip(archive: Buffer): ZipEntry[] {
  return listZip(archive).map((e) => {
    const o = e.localHeaderOffset;
    const start = o + 30 + archive.readUInt16LE(o + 26) + archive.readUInt16LE(o + 28);
    const body = archive.subarray(start, start + e.compressedSize);
    const data = e.method === 8 ? inflateRawSync(body) : Buffer.from(body);
    if (crc32(data) !== e.crc32) {
      throw new Error(`CRC mismatch in ${e.path}`);
    }
    return { path: e.path, data };
  });
}
