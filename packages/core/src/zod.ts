/**
 * zod for plugin authors (`import { z } from '@fester/core/zod'`), the same instance the core
 * validates with. A subpath of its own so that importing `@fester/core` does not load zod.
 */
export { z } from 'zod';
