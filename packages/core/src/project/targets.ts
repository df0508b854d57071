/** Targets Fester knows (DESIGN §1). `host` is an alias for the machine's own toolchain. */
export const KNOWN_TARGETS = ['host', 'x86_64-linux-gnu', 'aarch64-linux-gnu', 'riscv64-linux-gnu', 'arm-none-eabi'] as const;
export type TargetName = (typeof KNOWN_TARGETS)[number];
