/** POSIX shell quoting, only where needed (GNU make execs quote-free recipes without a shell). */
export function shQuote(arg) {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shJoin(argv) {
  return argv.map(shQuote).join(' ');
}
