import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { FesterError } from '../errors/FesterError.js';

/**
 * The farm's own certificate authority, made with Debian's `openssl` (a well-kept tool; no
 * hand-written X.509). The CA key signs one certificate per peer; every certificate is for
 * both TLS server and client use, so the same files serve a coordinator or an agent.
 */
async function openssl(args: string[], cwd: string): Promise<void> {
  const { execa } = await import('execa');
  const r = await execa('openssl', args, { cwd, reject: false, stdin: 'ignore' });
  if (r.failed) {
    const missing = (r as { code?: string }).code === 'ENOENT';
    throw new FesterError('FE0814', {
      message: missing ? 'openssl not found' : `openssl ${args[0]} failed: ${String(r.stderr).trim().split('\n')[0]}`,
      hint: missing ? 'install it: apt-get install openssl' : 'check the folder is writable',
    });
  }
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export async function createCa(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, 'ca.key'))) throw new FesterError('FE0814', { message: `${join(dir, 'ca.key')} exists: this folder already holds a farm CA`, hint: 'use `fester farm cert` to add certificates, or choose another --dir' });
  await openssl(['req', '-x509', ...KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Fester farm CA'], dir);
  chmodSync(join(dir, 'ca.key'), 0o600);
}

/** Issue `<name>.pem` / `<name>.key` signed by the CA in `dir`, valid for `hosts`. */
export async function issueCert(dir: string, name: string, hosts: readonly string[]): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new FesterError('FE0814', { message: `invalid certificate name "${name}"`, hint: 'letters, digits, . _ -' });
  if (!existsSync(join(dir, 'ca.key'))) throw new FesterError('FE0814', { message: `no farm CA in ${dir}`, hint: 'run `fester farm init --dir <dir>` first' });
  const san = [...new Set(hosts)].map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  const ext = `${name}.ext`;
  writeFileSync(join(dir, ext), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`);
  try {
    await openssl(['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '825', '-extfile', ext], dir);
    chmodSync(join(dir, `${name}.key`), 0o600);
  } finally {
    rmSync(join(dir, ext), { force: true });
    rmSync(join(dir, `${name}.csr`), { force: true });
  }
}

/** A fresh farm token for token mode, written to `<dir>/token` (owner-readable only). */
export function createToken(dir: string): string {
  const token = randomBytes(32).toString('hex');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
  return token;
}
