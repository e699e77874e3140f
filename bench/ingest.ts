/**
 * firstmate's intake and pipeline alone: the phases of `side-by-side.ts` without the peer
 * (`npm run bench -- side-by-side` runs them against Alertmanager in the same run). Same options.
 */
import { pathToFileURL } from 'node:url';
import { main as sideBySide } from './side-by-side.ts';

export async function main(args: string[]): Promise<void> {
  await sideBySide([...args, '--peer', 'none']);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
