/**
 * The project's layering, checked by specs/architecture.test.ts (`npx depcruise --config .dependency-cruiser.cjs
 * models generators services harness reports cli specs scripts bin`). Type-only imports count: a layer that
 * imports another's types depends on it.
 *
 *   models/, generators/      the pure core: each other, fast-check, node built-ins
 *   services/<name>/model.ts, rules.ts, commands.ts
 *                             the service's pure files: the core, fast-check, each other (same service only)
 *   reports/                  pure renderers: models/ only (and each other)
 *   services/<name>/*         reached from outside services/ only through services/index.ts (specs excepted)
 *   everything                no import cycles
 */
const NODE_FAST_CHECK = 'node_modules/fast-check/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'models/ and generators/ (the pure core) import only models/, generators/, fast-check and node built-ins.',
      from: { path: '^(models|generators)/' },
      to: { pathNot: [`^(models|generators)/`, NODE_FAST_CHECK], dependencyTypesNot: ['core'] },
    },
    {
      name: 'service-pure-files',
      severity: 'error',
      comment:
        "A service's model.ts, rules.ts and commands.ts import only models/, generators/, fast-check and their own service's model.ts, rules.ts and commands.ts.",
      from: { path: '^services/([^/]+)/(model|rules|commands)\\.ts$' },
      to: { pathNot: ['^(models|generators)/', NODE_FAST_CHECK, '^services/$1/(model|rules|commands)\\.ts$'] },
    },
    {
      name: 'reports-are-renderers',
      severity: 'error',
      comment: 'reports/ imports only models/ (the pure core) and other reports/ files: anything else it needs comes in as data.',
      from: { path: '^reports/' },
      to: { pathNot: '^(models|reports)/' },
    },
    {
      name: 'services-through-their-list',
      severity: 'error',
      comment: 'Outside services/, a service folder is reached only through services/index.ts (specs, which test services, excepted).',
      from: { pathNot: '^(services|specs)/' },
      to: { path: '^services/[^/]+/' },
    },
    {
      name: 'services-apart',
      severity: 'error',
      comment: "A service's folder does not import another service's folder.",
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/[^/]+/', pathNot: '^services/$1/' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycles anywhere.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|reports/out|\\.tmp)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
