/**
 * A separate process running only the alert pipeline workers, for tests that kill it outright.
 * Configuration comes as JSON in FM_CONFIG; prints `ready` once the workers run.
 */
import { configSchema } from '../../app/config-schema.ts';
import { createDeps } from '../../app/deps.ts';
import { createLogger } from '../../core/logger.ts';

const config = configSchema.parse({ kube: { mode: 'off' }, ...JSON.parse(process.env.FM_CONFIG ?? '{}') });
const deps = await createDeps(config, createLogger(config.log.level, process.stderr));
await deps.lifecycle.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void deps.lifecycle.stop(5000).then(() => process.exit(0)));
