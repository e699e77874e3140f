/**
 * The layering of docs/architecture.md, enforced: imports point down only.
 * core → (nothing of ours); platforms → core; alerts, kube, knowledge → core, platforms and each
 * other's declared edges; chat → below; handlers → below and chat; app → everything; sim is only for
 * the demo entry, tests and benches.
 */
const product = '^(app|core|chat|handlers|ops|alerts|kube|knowledge|platforms)/';
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
