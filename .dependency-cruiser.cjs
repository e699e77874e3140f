/**
 * The layering of docs/architecture.md, enforced: imports point down only.
 * core → (nothing of ours); platforms → core; alerts, kube, knowledge → core, platforms and each
 * other's declared edges; chat → below; handlers → below and chat; app → everything; sim is only for
 * the demo entry, tests and benches.
 */
const product = '^(app|core|chat|handlers|ops|alerts|kube|knowledge|platforms)/';
/** What only `worker` and `all` processes (and the demo) load. */
const roleOnly = '^(app/(app|deps|demo|services|ops)\\.ts$|chat/|handlers/|ops/|kube/|knowledge/|sim/)';
/** The configuration schemas and the cluster configuration error, which every process loads. */
const intakeAllowed = '^((chat|kube|ops)/config-schema|knowledge/config|kube/config-error)\\.ts$';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: { path: product }, to: { circular: true } },
    {
      name: 'core-imports-nothing',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(app|chat|handlers|ops|alerts|kube|knowledge|platforms|sim)/' },
    },
    {
      name: 'platforms-only-core',
      severity: 'error',
      from: { path: '^platforms/' },
      to: { path: '^(app|chat|handlers|ops|alerts|kube|knowledge|sim)/' },
    },
    {
      name: 'domain-not-upward',
      severity: 'error',
      from: { path: '^(alerts|kube|knowledge)/' },
      to: { path: '^(app|chat|handlers|ops)/' },
    },
    { name: 'ops-not-upward', severity: 'error', from: { path: '^ops/' }, to: { path: '^(app|chat|handlers)/' } },
    { name: 'chat-not-upward', severity: 'error', from: { path: '^chat/' }, to: { path: '^(app|handlers)/' } },
    { name: 'handlers-not-app', severity: 'error', from: { path: '^handlers/' }, to: { path: '^app/' } },
    {
      name: 'sim-only-demo',
      severity: 'error',
      comment: 'the simulator is loaded by dynamic import from app/demo.ts only',
      from: { path: product, pathNot: '^app/demo\\.ts$' },
      to: { path: '^sim/' },
    },
    { name: 'sim-not-product-internals', severity: 'error', from: { path: '^sim/' }, to: { path: '^(app|chat|handlers|ops|alerts)/' } },
    {
      name: 'intake-stays-lean',
      severity: 'error',
      comment:
        'an intake process loads app/intake.ts and what main.ts and run.ts import statically; chat, handlers, ops, kube, the knowledge base and the other roles are loaded by dynamic import',
      from: { path: '^app/(intake|config|log-destination|processes|redis|security)\\.ts$' },
      to: { reachable: true, path: roleOnly, pathNot: intakeAllowed },
    },
    {
      name: 'entry-loads-roles-dynamically',
      severity: 'error',
      comment: 'main.ts and run.ts load role-specific modules by dynamic import only',
      from: { path: '^app/(main|run)\\.ts$' },
      to: { path: roleOnly, pathNot: intakeAllowed, dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
    { name: 'not-to-tests', severity: 'error', from: { path: product }, to: { path: '^(test|bench)/' } },
  ],
  options: {
    includeOnly: '^(app|core|chat|handlers|ops|alerts|kube|knowledge|platforms|sim)/',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
