import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';

const freshDir = () => mkdtempSync(join(tmpdir(), 'fm-cli-'));
const started = /"port":(\d+)[^\n]*firstmate started/;

describe('firstmate CLI', () => {
  it('answers console chat over a pipe, serves HTTP, and stops cleanly on SIGTERM mid-command', async () => {
    const cli = runCli(['demo'], { cwd: freshDir(), env: { PORT: '0' } });
    cli.child.stdin.write('help\n');
    const [, port] = await cli.waitFor(started, 'stderr');
    await cli.waitFor(/== firstmate commands ==[\s\S]*whoami/);
    // The embedded demo cluster answers host queries (a query during start-up waits for the cache).
    cli.child.stdin.write('host 10.0.0.12\n');
    await cli.waitFor(/== host node-02 ==[\s\S]*zone\s+cn-east-1b/);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^nodejs_heap_size_total_bytes/m);
    expect(metrics).toMatch(/firstmate_chat_commands_total\{platform="console",command="help",outcome="ok"\} 1/);

    const requests = Array.from({ length: 50 }, () =>
      fetch(`${base}/readyz`).then(
        (r) => r.status,
        () => 'refused',
      ),
    );
    cli.child.stdin.write('whoami\n');
    cli.child.kill('SIGTERM');
    const outcomes = await Promise.all(requests);
    expect(outcomes.every((o) => o === 200 || o === 503 || o === 'refused')).toBe(true);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stdout()).toMatch(/role\s+admin/);
    expect(cli.stderr()).toMatch(/"msg":"stopped"/);
  });

  it('demo starts a private redis-server under .firstmate/ when none answers, and stops it on exit', async () => {
    const cwd = freshDir();
    const cli = runCli(['demo'], { cwd, env: { PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' } });
    const [line] = await cli.waitFor(/[^\n]*started a private redis-server[^\n]*/, 'stderr');
    expect(line).toContain(join(cwd, '.firstmate', 'redis'));
    await cli.waitFor(started, 'stderr');
    cli.child.stdin.write('whoami\n');
    await cli.waitFor(/platform\s+console/);
    expect(existsSync(join(cwd, '.firstmate', 'redis'))).toBe(true);
    const pid = Number(line.match(/"pid":(\d+)/)?.[1]);
    expect(pid).toBeGreaterThan(0);
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('demo says in one line what to install when Redis is unreachable and redis-server is missing', async () => {
    const bin = freshDir();
    symlinkSync(process.execPath, join(bin, 'node'));
    const cli = runCli(['demo'], { cwd: freshDir(), env: { PORT: '0', REDIS_URL: 'redis://127.0.0.1:1', PATH: bin } });
    expect((await cli.exited).code).toBe(1);
    expect(cli.stderr().trim()).toBe(
      'firstmate: Redis does not answer at redis://127.0.0.1:1 and redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL',
    );
  });

  it('start never falls back: a dead REDIS_URL, no cluster, or a busy port each stop it with one line', async () => {
    const cwd = freshDir();
    const home = freshDir();
    const deadRedis = runCli(['start'], {
      cwd,
      env: { PORT: '0', HOME: home, REDIS_URL: 'redis://127.0.0.1:1', FIRSTMATE_KUBE_MODE: 'off' },
    });
    expect((await deadRedis.exited).code).toBe(1);
    expect(deadRedis.stderr().trim()).toBe('firstmate: Redis does not answer at redis://127.0.0.1:1: start it or set REDIS_URL');
    expect(existsSync(join(cwd, '.firstmate'))).toBe(false);

    const noCluster = runCli(['start'], { cwd, env: { PORT: '0', HOME: home, KUBECONFIG: undefined, FIRSTMATE_KUBE_MODE: undefined } });
    expect((await noCluster.exited).code).toBe(1);
    expect(noCluster.stderr().trim()).toBe(
      'firstmate: no Kubernetes cluster found: set KUBECONFIG, run in a pod with a service account, set kube.url, or set kube.mode: off',
    );

    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    const demo = runCli(['demo'], { cwd, env: { PORT: String(port), REDIS_URL: 'redis://127.0.0.1:1' } });
    const [line] = await demo.waitFor(/[^\n]*started a private redis-server[^\n]*/, 'stderr');
    expect((await demo.exited).code).toBe(1);
    busy.close();
    expect(
      demo
        .stderr()
        .split('\n')
        .filter((l) => l && !l.startsWith('{')),
    ).toEqual([`firstmate: cannot listen on 127.0.0.1:${port} (EADDRINUSE): set PORT or server.port to a free port`]);
    const pid = Number(line.match(/"pid":(\d+)/)?.[1]);
    expect(() => process.kill(pid, 0)).toThrow();
    // Three processes started one after the other: slow on a loaded machine.
  }, 60_000);

  it('says in one line when the kubeconfig cannot be loaded', async () => {
    const cli = runCli(['start'], {
      cwd: freshDir(),
      env: { PORT: '0', KUBECONFIG: '/nonexistent/kubeconfig', FIRSTMATE_KUBE_MODE: undefined },
    });
    expect((await cli.exited).code).toBe(1);
    expect(
      cli
        .stderr()
        .split('\n')
        .filter((l) => l && !l.startsWith('{')),
    ).toEqual(["firstmate: cannot load the cluster configuration: ENOENT: no such file or directory, open '/nonexistent/kubeconfig'"]);
  });

  it('check-config prints every problem with its path and exits 1', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'firstmate.yaml'), 'server:\n  port: -1\nredis:\n  url: http://cache\nauth:\n  defaultRole: superuser\n');
    const cli = runCli(['check-config'], { cwd: dir, env: { REDIS_URL: undefined } });
    expect((await cli.exited).code).toBe(1);
    const lines = cli.stdout().trim().split('\n');
    expect(lines[0]).toBe('firstmate.yaml: 3 problems');
    expect(
      lines
        .slice(1)
        .map((l) => l.trim().split(':')[0])
        .sort(),
    ).toEqual(['auth.defaultRole', 'redis.url', 'server.port']);
    const ok = runCli(['check-config'], { cwd: freshDir() });
    expect((await ok.exited).code).toBe(0);
    expect(ok.stdout()).toBe('embedded defaults: ok\n');
  });
});
