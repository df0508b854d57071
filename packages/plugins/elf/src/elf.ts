/** The parts of an ELF header that say which machine a file is for (System V gABI). */
export interface ElfHeader {
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** 1 relocatable (.o), 2 executable, 3 shared object / PIE. */
  type: number;
  machine: number;
  flags: number;
  entry: bigint;
}

export const ELF_TYPES: Record<number, string> = { 1: 'relocatable', 2: 'executable', 3: 'shared object' };

/** Parse an ELF header, or undefined if the bytes are not ELF. */
export function readElfHeader(buf: Buffer): ElfHeader | undefined {
  if (buf.length < 52 || buf[0] !== 0x7f || buf[1] !== 0x45 || buf[2] !== 0x4c || buf[3] !== 0x46) return undefined;
  const bits = buf[4] === 2 ? 64 : 32;
  const endian = buf[5] === 2 ? 'big' : 'little';
  const u16 = (o: number) => (endian === 'little' ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (endian === 'little' ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  if (bits === 64 && buf.length < 64) return undefined;
  const entry = bits === 64 ? (endian === 'little' ? buf.readBigUInt64LE(24) : buf.readBigUInt64BE(24)) : BigInt(u32(24));
  const flags = bits === 64 ? u32(48) : u32(36);
  return { bits, endian, type: u16(16), machine: u16(18), flags, entry };
}

/** ARM e_flags: EABI version in the top byte, float ABI in bits 9/10 (ARM ELF ABI). */
export function armFlags(flags: number): { eabi: number; float?: 'soft' | 'hard' } {
  const eabi = (flags >>> 24) & 0xff;
  const float = flags & 0x400 ? 'hard' : flags & 0x200 ? 'soft' : undefined;
  return { eabi, ...(float ? { float } : {}) };
}

/**
 * Members of a Unix `ar` archive (static library), GNU and System V name tables included.
 * Only member data is returned; symbol tables are skipped.
 */
export function* archiveMembers(buf: Buffer): Generator<{ name: string; data: Buffer }> {
  if (buf.toString('latin1', 0, 8) !== '!<arch>\n') return;
  let names = '';
  let off = 8;
  while (off + 60 <= buf.length) {
    const rawName = buf.toString('latin1', off, off + 16).trimEnd();
    const size = Number.parseInt(buf.toString('latin1', off + 48, off + 58).trim(), 10);
    const start = off + 60;
    const data = buf.subarray(start, start + size);
    off = start + size + (size % 2);
    if (rawName === '/' || rawName === '/SYM64/' || rawName === '__.SYMDEF') continue;
    if (rawName === '//') { names = data.toString('latin1'); continue; }
    let name = rawName;
    if (/^\/\d+$/.test(rawName)) {
      const at = Number(rawName.slice(1));
      name = names.slice(at, names.indexOf('/\n', at));
    } else if (name.endsWith('/')) name = name.slice(0, -1);
    yield { name, data };
  }
}

export function isArchive(buf: Buffer): boolean {
  return buf.length >= 8 && buf.toString('latin1', 0, 8) === '!<arch>\n';
}
