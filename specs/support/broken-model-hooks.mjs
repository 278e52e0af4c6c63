// Preloaded into a CLI child process (NODE_OPTIONS=--import …): module hooks that make every import of
// services/index.ts, except broken-services.ts's own, load specs/support/broken-services.ts instead.
// Test-only; the CLI itself has no hook for this.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    const SERVICES = /\\/services\\/index\\.(ts|js)$/;
    const STAND_IN = ${JSON.stringify(new URL('./broken-services.ts', import.meta.url).href)};
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      if (SERVICES.test(new URL(resolved.url).pathname) && context.parentURL !== STAND_IN) return { ...resolved, url: STAND_IN };
      return resolved;
    }
  `)}`,
);
