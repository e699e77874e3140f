// After `tsc -p tsconfig.build.json`: copies the files the compiled code reads at run time
// (knowledge articles, Lua scripts) next to it under dist/.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['core', 'alerts', 'chat', 'kube', 'knowledge', 'ops', 'sim'];
const assets = /\.(md|lua)$/;
for (const root of roots.filter((r) => existsSync(r))) {
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !assets.test(entry.name)) continue;
    const from = join(entry.parentPath, entry.name);
    cpSync(from, join('dist', from));
  }
}
