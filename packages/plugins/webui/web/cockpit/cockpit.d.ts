/**
 * The part of Cockpit's cockpit.js (../base1/cockpit.js, loaded by index.html) the module uses.
 * Its promises are jQuery-style deferreds with a working `then`.
 */
interface CockpitHttpOptions {
  address?: string;
  port?: number;
  tls?: { validate?: boolean; authority?: { file: string }; certificate?: { file: string }; key?: { file: string } };
  headers?: Record<string, string>;
  superuser?: 'try' | 'require';
}

interface CockpitHttpRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

interface CockpitHttpError {
  problem?: string;
  status?: number;
  reason?: string;
  message?: string;
}

interface CockpitHttpClient {
  request(req: CockpitHttpRequest): PromiseLike<string>;
  close(problem?: string): void;
}

interface CockpitFile {
  read(): PromiseLike<string | null>;
  close(): void;
}

interface CockpitApi {
  http(options: CockpitHttpOptions): CockpitHttpClient;
  file(path: string, options?: { superuser?: 'try' | 'require' }): CockpitFile;
  user(): PromiseLike<{ name: string }>;
  transport: { host: string };
}

declare const cockpit: CockpitApi | undefined;
