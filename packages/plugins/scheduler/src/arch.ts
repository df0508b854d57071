/**
 * Architectures by one name each: Node says `x64`/`arm64`, uname and Debian say
 * `x86_64`/`aarch64`. Pools (target-isolated mode) and the simulator compare these names.
 */
const ALIASES: Record<string, string> = { x64: 'x86_64', amd64: 'x86_64', arm64: 'aarch64', armhf: 'arm', armv7l: 'arm', ia32: 'i686', riscv64: 'riscv64' };

export function normalizeArch(arch: string): string {
  return ALIASES[arch] ?? arch;
}

/**
 * The architecture a target's code runs on: `aarch64-linux-gnu` → aarch64, `arm-none-eabi` →
 * arm, `host` → the machine this process runs on.
 */
export function targetArch(target: string): string {
  if (target === 'host') return normalizeArch(process.arch);
  return normalizeArch(target.split('-')[0] ?? target);
}
