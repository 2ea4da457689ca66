/**
 * Layering, checked by `npm run lint` (dependency-cruiser):
 *   contracts  <-  runtime  <-  services  <-  platform (the composition root)
 *   contracts  <-  agent
 * A service asks another by action or listens to its events; it never imports it. `domain/` folders
 * are pure rules: no database, bus, HTTP server or file system. Sources are TypeScript run by Node's
 * type stripping, so relative imports name their `.ts` file; workspaces are reached by package name
 * (`@aptic/runtime`) and resolved through node_modules' workspace links to their folder.
 */
const services = '(qualification|catalogue|ordering|printing|redemption|settlement|analytics)';
/** Tests anywhere may use the shared test helpers; nothing else may. */
const testSupport = '^test/support/';
const testFile = '\\.test\\.ts$';
/**
 * What does I/O, as dependency-cruiser resolves it: Node's core modules by name (`node:fs` is `fs`),
 * packages by their folder in node_modules, the runtime (its index opens databases and buses) by its
 * folder. drizzle-orm itself builds queries; its drivers (`drizzle-orm/node-postgres`, `…/pglite`) talk.
 */
const ioCore = '^(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|cluster|readline)$';
/** Drivers, servers and clients: not even through another module. */
const ioPackages = [
  '(^|/)node_modules/(pg|pg-pool|postgres|nats|fastify|@fastify/[^/]+|moleculer|pino|puppeteer-core|node-hid|prom-client)/',
  '(^|/)node_modules/(@electric-sql/pglite|drizzle-kit)/',
  '(^|/)node_modules/drizzle-orm/(node-postgres|pglite|postgres-js|neon-[^/]+|vercel-postgres|pg-proxy|[^/]*sqlite[^/]*|mysql[^/]*|libsql)/',
  '^services/runtime/',
];

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycles, type-only imports included: a module and what it imports form a tree.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contracts-import-no-workspace',
      severity: 'error',
      comment: 'contracts/ is the bottom layer: it imports no other workspace.',
      from: { path: '^contracts/' },
      to: { path: '^(services|agent|dashboards|test)/', pathNot: testSupport },
    },
    {
      name: 'runtime-imports-only-contracts',
      severity: 'error',
      comment: 'The runtime is a library every service starts from: it knows contracts and no service.',
      from: { path: '^services/runtime/' },
      to: { path: '^(services/(?!runtime/)|agent/|dashboards/|test/)', pathNot: testSupport },
    },
    {
      name: 'service-imports-no-other-service',
      severity: 'error',
      comment:
        'A service imports the runtime and contracts only: it asks another service by action or ' +
        'listens to its durable events, it never imports it.',
      from: { path: `^services/${services}/` },
      to: {
        path: `^(services/|agent/|dashboards/|test/)`,
        pathNot: ['^services/$1/', '^services/runtime/', testSupport],
      },
    },
    {
      name: 'agent-imports-only-contracts',
      severity: 'error',
      comment: 'The kiosk agent runs on the kiosk: it shares contracts with the platform and nothing else.',
      from: { path: '^agent/' },
      to: { path: '^(services|dashboards|test)/', pathNot: testSupport },
    },
    {
      name: 'only-tests-use-test-support',
      severity: 'error',
      comment: 'test/ holds cross-service tests and their helpers: only a test (or a benchmark) imports them.',
      from: { path: '^(contracts|services|agent|dashboards)/', pathNot: testFile },
      to: { path: '^test/' },
    },
    {
      name: 'domain-does-no-io',
      severity: 'error',
      comment:
        'domain/ folders are pure rules, unit-tested without a database, a bus, a server or a file ' +
        'system: they import none, nor their types (a domain function takes values, not a connection).',
      from: { path: '/domain/', pathNot: testFile },
      to: { path: [ioCore, ...ioPackages] },
    },
    {
      name: 'domain-reaches-no-io',
      severity: 'error',
      comment:
        'Nor through another module (a domain file importing ../db/queries.ts, which imports pg). Core ' +
        'modules are checked on direct imports only: contracts/territory.ts reads the reference data ' +
        'shipped in node_modules once, on first use, and domain rules may use it.',
      from: { path: '/domain/', pathNot: testFile },
      to: { path: ioPackages, reachable: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every import resolves (a typo in a relative path, a package missing from package.json).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^\\.data/', '^\\.vitest/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
