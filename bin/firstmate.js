#!/usr/bin/env node
// Runs the TypeScript sources through tsx when it is installed (a checkout after `npm ci`), else
// the compiled build under dist/ (`npm run build`, then an install with --omit=dev).
let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch {
  tsx = undefined;
}
if (tsx) {
  tsx.register();
  await import('../app/main.ts');
} else {
  await import('../dist/app/main.js');
}
