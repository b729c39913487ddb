/**
 * Writes zip archives byte by byte (stored, no compression), so tests can build what no well-behaved
 * zip library would write: names with `..` or a leading `/`, symlink entries, sizes that lie,
 * duplicate names. Layout per APPNOTE.TXT 4.3 (local headers, central directory, end record).
 */
import * as zlib from "node:zlib";

export interface RawEntry {
    name: string;
    data?: Buffer | string;
    /** Unix mode (type and permission bits), stored in the upper 16 bits of the external attributes. */
    unixMode?: number;
    /** The uncompressed size to declare instead of the real one. */
    declaredSize?: number;
}

export function rawZip(entries: readonly RawEntry[]): Buffer {
    const locals: Buffer[] = [];
    const centrals: Buffer[] = [];
    let offset = 0;
    for (const entry of entries) {
        const data = Buffer.from(entry.data ?? "");
        const name = Buffer.from(entry.name, "utf8");
        const crc = zlib.crc32(data);
        const size = entry.declaredSize ?? data.length;
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(20, 4); // version needed
        local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
        local.writeUInt16LE(0, 8); // stored
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(data.length, 18); // compressed size (stored: the real bytes)
        local.writeUInt32LE(size, 22);
        local.writeUInt16LE(name.length, 26);
        const central = Buffer.alloc(46);
        central.writeUInt32LE(0x02014b50, 0);
        central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
        central.writeUInt16LE(20, 6);
        central.writeUInt16LE(0x0800, 8);
        central.writeUInt16LE(0, 10);
        central.writeUInt32LE(crc, 16);
        central.writeUInt32LE(data.length, 20);
        central.writeUInt32LE(size, 24);
        central.writeUInt16LE(name.length, 28);
        central.writeUInt32LE(((entry.unixMode ?? 0o100644) << 16) >>> 0, 38);
        central.writeUInt32LE(offset, 42);
        locals.push(local, name, data);
        centrals.push(central, name);
        offset += local.length + name.length + data.length;
    }
    const directory = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...locals, directory, end]);
}
