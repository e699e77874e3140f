import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';
import type { CliProcess } from '../../helpers/cli.ts';
import { testPrefix } from '../../helpers/deps.ts';
import { deletePrefix } from '../../../app/redis.ts';

const prefix = testPrefix('demo');

/** Quick grouping so notices print within seconds, and a Redis prefix of its own; everything else as shipped. */
function demoDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fm-demo-'));
  writeFileSync(
    join(dir, 'firstmate.yaml'),
    `redis:\n  prefix: "${prefix}"\nalerts:\n  route:\n    receiver: console\n    group_wait: 200ms\n    group_interval: 1s\n`,
  );
  return dir;
}

describe('demo commands in the console', () => {
  let cli: CliProcess | undefined;
  afterEach(async () => {
    if (cli && cli.child.exitCode === null) {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    await deletePrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
  });

  it('drive the OOM, node failure, network split and recovery scenarios; help lists them', async () => {
    cli = runCli(['demo'], { cwd: demoDir(), env: { PORT: '0' } });
    cli.child.stdin.write('help demo\n');
    await cli.waitFor(/== demo ==[\s\S]*demo fail-node <node>/);

    cli.child.stdin.write('demo oom payments/mysql-1\n');
    await cli.waitFor(/payments\/mysql-1: container \S+ was OOM-killed/);
    await cli.waitFor(/KubeContainerOOMKilled[\s\S]*payments\/mysql-1/, 'stdout', 20_000);

    cli.child.stdin.write('demo fail-node node-05\n');
    await cli.waitFor(/node-05 stopped posting status/);
    cli.child.stdin.write('host node-05\n');
    await cli.waitFor(/== host node-05 ==[\s\S]*Ready\s+Unknown/);

    cli.child.stdin.write('demo split 40%\n');
    await cli.waitFor(/Network split: 14 node\(s\) lost the control plane/);
    const [storm] = await cli.waitFor(/KubeNodeNotReadyStorm[^\n]*\n[\s\S]*?NotReady 1[45]\/36: [^\n]*/, 'stdout', 30_000);
    expect(storm).toContain('evictions');
    expect(cli.stdout()).not.toMatch(/alertname=KubeNodeNotReady\b(?!Storm)/);

    cli.child.stdin.write('demo recover\n');
    await cli.waitFor(/Recovered 15 node\(s\)/);
    await cli.waitFor(/evicted \d+ · rescheduled \d+ · still Pending \d+/, 'stdout', 20_000);
  }, 90_000);
});
