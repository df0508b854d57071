import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { FesterError, type TargetSpec } from '@fester/core';
import { elfProblems } from './check.js';
import { archiveMembers, isArchive, readElfHeader } from './elf.js';

/**
 * Check every ELF output (objects, executables, shared libraries, and each member of a static
 * library) against the target. Non-ELF outputs (a .bin image, a generated header) pass.
 */
export function validateOutputFiles(files: readonly string[], spec: TargetSpec, root: string, actionId: string): void {
  for (const f of files) {
    const buf = readFileSync(f);
    const units = isArchive(buf) ? [...archiveMembers(buf)].map((m) => ({ name: `${relative(root, f)}(${m.name})`, data: m.data })) : [{ name: relative(root, f), data: buf }];
    for (const u of units) {
      const h = readElfHeader(u.data);
      if (!h) continue;
      const problems = elfProblems(h, spec);
      if (problems.length) {
        throw new FesterError('FE0404', {
          message: `action ${actionId}: ${u.name} does not match target ${spec.name}: ${problems.join('; ')}`,
          hint: `the toolchain for ${spec.name} produced code for another machine; run \`fester toolchain validate ${spec.name}\``,
        });
      }
    }
  }
}
