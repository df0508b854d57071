/**
 * The environment every action starts from: nothing from the user's shell (no CC, CFLAGS,
 * LD_LIBRARY_PATH or PATH entries), a C locale and a fixed epoch so outputs reproduce.
 */
export function baseEnv(pathDirs: readonly string[] = []): Record<string, string> {
  const path = [...new Set([...pathDirs, '/usr/local/bin', '/usr/bin', '/bin'])].join(':');
  return { PATH: path, LANG: 'C', LC_ALL: 'C', SOURCE_DATE_EPOCH: '0', TMPDIR: process.env.TMPDIR ?? '/tmp' };
}
