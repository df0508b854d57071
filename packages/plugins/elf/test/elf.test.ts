import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetSpec } from '@fester/core';
import { archiveMembers, readElfHeader, validateOutputFiles } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fester-elf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (f: string) => join(dir, f);

describe('ELF checks on real toolchain outputs', () => {
  beforeAll(async () => {
    writeFileSync(p('a.c'), 'int a(void) { return 1; }\n');
    writeFileSync(p('long_file_name_member_over_sixteen.c'), 'int b(void) { return 2; }\n');
    await execa('gcc', ['-c', 'a.c', '-o', 'a.o'], { cwd: dir });
    await execa('gcc', ['-c', 'long_file_name_member_over_sixteen.c', '-o', 'long_file_name_member_over_sixteen.o'], { cwd: dir });
    await execa('ar', ['rcsD', 'libx86.a', 'a.o', 'long_file_name_member_over_sixteen.o'], { cwd: dir });
    await execa('gcc', ['-shared', '-fPIC', 'a.c', '-o', 'libx86.so'], { cwd: dir });
    await execa('aarch64-linux-gnu-gcc', ['-c', 'a.c', '-o', 'arm64.o'], { cwd: dir });
    await execa('aarch64-linux-gnu-ar', ['rcsD', 'libarm64.a', 'arm64.o'], { cwd: dir });
  });

  it('reads headers: class, machine, type', () => {
    expect(readElfHeader(readFileSync(p('a.o')))).toMatchObject({ bits: 64, endian: 'little', type: 1, machine: 62 });
    expect(readElfHeader(readFileSync(p('libx86.so')))).toMatchObject({ type: 3, machine: 62 });
    expect(readElfHeader(readFileSync(p('arm64.o')))).toMatchObject({ machine: 183 });
    expect(readElfHeader(Buffer.from('#define X 1\n'))).toBeUndefined();
  });

  it('lists archive members, GNU long names included', () => {
    const names = [...archiveMembers(readFileSync(p('libx86.a')))].map((m) => m.name);
    expect(names).toEqual(['a.o', 'long_file_name_member_over_sixteen.o']);
  });

  it('accepts matching outputs and refuses archive members and shared libraries for another machine', () => {
    const aarch64 = targetSpec('aarch64-linux-gnu')!;
    const x86 = targetSpec('x86_64-linux-gnu')!;
    expect(() => validateOutputFiles([p('libarm64.a')], aarch64, dir, 't')).not.toThrow();
    expect(() => validateOutputFiles([p('libx86.a'), p('libx86.so')], x86, dir, 't')).not.toThrow();
    expect(() => validateOutputFiles([p('libx86.a')], aarch64, dir, 't')).toThrow(/libx86\.a\(a\.o\) does not match target aarch64-linux-gnu: e_machine is 62/);
    expect(() => validateOutputFiles([p('libx86.so')], aarch64, dir, 't')).toThrow(/libx86\.so does not match/);
    expect(() => validateOutputFiles([p('a.c')], aarch64, dir, 't')).not.toThrow();
  });
});
