import type { TargetSpec } from '@fester/core';
import { armFlags, ELF_TYPES, type ElfHeader } from './elf.js';

/** Every way an ELF header disagrees with what the target needs (empty when it matches). */
export function elfProblems(h: ElfHeader, spec: TargetSpec): string[] {
  const want = spec.elf;
  const problems: string[] = [];
  if (h.bits !== want.bits) problems.push(`ELF class is ${h.bits}-bit, target needs ${want.bits}-bit`);
  if (h.endian !== 'little') problems.push('big-endian, target is little-endian');
  if (h.machine !== want.machine) problems.push(`e_machine is ${h.machine}${machineName(h.machine)}, target ${spec.name} needs ${want.machine} (${want.machineName})`);
  if (want.arm && h.machine === 40) {
    const f = armFlags(h.flags);
    if (f.eabi !== want.arm.eabi) problems.push(`ARM EABI version ${f.eabi}, target needs ${want.arm.eabi}`);
    if (f.float && f.float !== want.arm.float) problems.push(`ARM float ABI is ${f.float}, target needs ${want.arm.float}`);
  }
  return problems;
}

const NAMES: Record<number, string> = { 3: 'x86', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V' };

function machineName(m: number): string {
  return NAMES[m] ? ` (${NAMES[m]})` : '';
}

export function describe(h: ElfHeader): string {
  return `${h.bits}-bit ${ELF_TYPES[h.type] ?? `type ${h.type}`} for ${NAMES[h.machine] ?? `machine ${h.machine}`}`;
}
