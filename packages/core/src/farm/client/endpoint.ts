import { FesterError } from '../../errors/FesterError.js';
import { loadTlsFiles } from '../auth.js';
import type { FarmEndpoint } from '../httpClient.js';

export interface FarmSettings {
  url: string;
  token?: string;
  tls?: string;
  certName?: string;
}

/**
 * The endpoint and credentials for a farm URL: https:// means mTLS with the files of
 * `fester farm init`, http:// the shared token. Missing credentials are a usage error now,
 * not an authentication failure later.
 */
export function farmEndpoint(s: FarmSettings, defaultCert = 'client'): FarmEndpoint {
  let url: URL;
  try { url = new URL(s.url); } catch {
    throw new FesterError('FE0801', { message: `not a coordinator URL: ${s.url}`, hint: 'give http://host:port (token) or https://host:port (mTLS)' });
  }
  if (url.protocol === 'https:') {
    if (!s.tls) throw new FesterError('FE0814', { message: `${url.origin} uses mTLS but no certificate folder was given`, hint: 'pass --tls <dir> (made by `fester farm init`) or set farm.tls in festerconfig.ts' });
    return { url, auth: { tls: loadTlsFiles(s.tls, s.certName ?? defaultCert) } };
  }
  if (url.protocol !== 'http:') throw new FesterError('FE0801', { message: `unsupported scheme ${url.protocol} in ${s.url}` });
  const token = s.token ?? process.env.FESTER_FARM_TOKEN;
  if (!token) throw new FesterError('FE0802', { message: `no farm token for ${url.origin}`, hint: 'set FESTER_FARM_TOKEN, pass --token, or set farm.token in festerconfig.ts (the token file is in the folder `fester farm init` made)' });
  return { url, auth: { token } };
}
