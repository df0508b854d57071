import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';
import { ApiService } from './ApiService.js';
import { registerApiRoutes } from './routes.js';

const services = new WeakMap<Compiler, ApiService>();

/**
 * The HTTP API as a built-in plugin: every Compiler gets `/api/…` on `compiler.routes`, so the
 * coordinator, `fester build --serve` and `fester ui` all serve the same API by mounting the
 * routes.
 */
export function apiPlugin(): FesterPlugin {
  return {
    name: 'fester:api',
    apply(compiler: Compiler) {
      if (services.has(compiler)) return;
      const api = new ApiService(compiler);
      services.set(compiler, api);
      registerApiRoutes(compiler.routes, api);
    },
  };
}

/** The API state of a Compiler, for servers: add session folders, stop following, end streams. */
export function apiService(compiler: Compiler): ApiService | undefined {
  return services.get(compiler);
}
