import { arch } from 'node:os';

/** What Fester knows about a target: how to find its tools and what its binaries must be. */
export interface TargetSpec {
  name: string;
  triple: string;
  /** ELF facts every output must match: class (32/64), little-endian, e_machine. */
  elf: { bits: 32 | 64; machine: number; machineName: string; arm?: { eabi: number; float: 'soft' | 'hard' } };
  /** Linux targets run probes and tests under qemu-user; bare-metal ones cannot run. */
  os: 'linux' | 'none';
  /** qemu-user binary for running this target's programs here, or undefined when native. */
  qemu?: string;
  /** Debian packages that provide the toolchain and its C library. */
  packages: string[];
  exeSuffix: string;
  /** Flags a target needs whatever the project says (prepended, so the project can override). */
  cflags: string[];
  ldflags: string[];
}

const X86_64: Omit<TargetSpec, 'name' | 'qemu'> = {
  triple: 'x86_64-linux-gnu', elf: { bits: 64, machine: 62, machineName: 'x86-64' }, os: 'linux',
  packages: ['gcc-x86-64-linux-gnu', 'libc6-dev-amd64-cross'], exeSuffix: '', cflags: [], ldflags: [],
};

const SPECS: Record<string, Omit<TargetSpec, 'name'>> = {
  'x86_64-linux-gnu': { ...X86_64, qemu: 'qemu-x86_64' },
  'aarch64-linux-gnu': {
    triple: 'aarch64-linux-gnu', elf: { bits: 64, machine: 183, machineName: 'AArch64' }, os: 'linux', qemu: 'qemu-aarch64',
    packages: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'qemu-user'], exeSuffix: '', cflags: [], ldflags: [],
  },
  'riscv64-linux-gnu': {
    triple: 'riscv64-linux-gnu', elf: { bits: 64, machine: 243, machineName: 'RISC-V' }, os: 'linux', qemu: 'qemu-riscv64',
    packages: ['gcc-riscv64-linux-gnu', 'libc6-dev-riscv64-cross', 'qemu-user'], exeSuffix: '', cflags: [], ldflags: [],
  },
  'arm-none-eabi': {
    triple: 'arm-none-eabi', elf: { bits: 32, machine: 40, machineName: 'ARM', arm: { eabi: 5, float: 'soft' } }, os: 'none',
    packages: ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi'], exeSuffix: '.elf',
    cflags: ['-mcpu=cortex-m3', '-mthumb'], ldflags: ['-mcpu=cortex-m3', '-mthumb', '--specs=nosys.specs'],
  },
};

/** The triple of the machine Fester runs on, as Debian names it. */
export function nativeTriple(): string {
  const a = arch();
  return a === 'arm64' ? 'aarch64-linux-gnu' : a === 'riscv64' ? 'riscv64-linux-gnu' : 'x86_64-linux-gnu';
}

/** The spec of a known target; `host` is the native triple, run without qemu. */
export function targetSpec(name: string): TargetSpec | undefined {
  const native = nativeTriple();
  const key = name === 'host' ? native : name;
  const spec = SPECS[key];
  if (!spec) return undefined;
  if (key === native) return { ...spec, name, qemu: undefined, packages: ['gcc', 'libc6-dev'] };
  return { ...spec, name };
}
