import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisServerInstalled } from '../../../app/redis.ts';
import { runCli, type CliProcess } from '../../helpers/cli.ts';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.ts';
import { waitFor } from '../../helpers/wait.ts';

/** Every secret the run is given; none may appear in any log line, reply or stored record. */
const secrets = {
  redisPassword: 'redis-pass-Q7v9x2Lm',
  slackBot: 'xoxb-1111-2222-botSecretQ7v9',
  slackApp: 'xapp-1-A111-appSecretZ3k8',
  slackSigning: 'signing-secret-W4n6p1Rt',
  dingtalkClient: 'dt-client-secret-H8j2k5Lq',
  dingtalkRobotSecret: 'SECrobotsecretM3n5b7',
  dingtalkToken: 'dtaccesstokenP9o8i7u6',
  webhookToken: 'hookaccesstokenY5t4r3e2',
  webhookHeader: 'hook-header-secret-K1j2h3',
  apiToken: 'api-token-secret-V6c5x4z3',
  sourceToken: 'source-token-secret-N2b3v4',
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

/** A hostile destination: refuses every delivery and echoes the URL and headers it was sent. */
function echoingDestination(kind: 'webhook' | 'dingtalk'): Server {
  return createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const echoed = `${req.url} ${JSON.stringify(req.headers)}`;
      if (kind === 'webhook') {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`rejected ${echoed}`);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errcode: 300001, errmsg: `token invalid for ${echoed}` }));
      }
    });
  });
}

async function startPasswordRedis(dir: string): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--requirepass',
      secrets.redisPassword,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  const client = new Redis({ port, host: '127.0.0.1', password: secrets.redisPassword, lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  await waitFor(
    async () =>
      (await client
        .connect()
        .then(() => client.ping())
        .catch(() => undefined)) === 'PONG',
    'redis with a password',
  );
  client.disconnect();
  return port;
}

describe('no secret in any log line, reply or stored record', () => {
  it.skipIf(!redisServerInstalled())(
    'a production run with every kind of secret set prints, answers and stores none of them',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fm-redact-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const redisPort = await startPasswordRedis(dir);
      const slack: FakeSlack = await startFakeSlack();
      cleanups.push(() => slack.close());
      const hookPort = await listen(echoingDestination('webhook'));
      const robotPort = await listen(echoingDestination('dingtalk'));
      const config = {
        chat: { console: { enabled: true }, slack: { mode: 'http' }, dingtalk: { enabled: false } },
        alerts: {
          apiTokens: [{ name: 'ci', token: secrets.apiToken }],
          sources: { tokens: { generic: [secrets.sourceToken] } },
          route: { receiver: 'leaky', group_wait: '100ms', group_interval: '1s', repeat_interval: '1h', group_by: ['alertname'] },
          receivers: [
            {
              name: 'leaky',
              webhook: {
                url: `http://127.0.0.1:${hookPort}/hook?access_token=${secrets.webhookToken}`,
                headers: { authorization: `Bearer ${secrets.webhookHeader}` },
              },
              dingtalk: {
                webhook: `http://127.0.0.1:${robotPort}/robot/send?access_token=${secrets.dingtalkToken}`,
                secret: secrets.dingtalkRobotSecret,
              },
            },
          ],
          notify: { attempts: 1 },
        },
      };
      writeFileSync(join(dir, 'firstmate.yaml'), JSON.stringify(config));
      const cli: CliProcess = runCli(['start'], {
        cwd: dir,
        env: {
          PORT: '0',
          HOME: dir,
          LOG_LEVEL: 'debug',
          FIRSTMATE_KUBE_MODE: 'off',
          FIRSTMATE_CONFIG: join(dir, 'firstmate.yaml'),
          REDIS_URL: `redis://:${secrets.redisPassword}@127.0.0.1:${redisPort}`,
          SLACK_BOT_TOKEN: secrets.slackBot,
          SLACK_APP_TOKEN: secrets.slackApp,
          SLACK_SIGNING_SECRET: secrets.slackSigning,
          SLACK_API_URL: slack.apiUrl,
          DINGTALK_CLIENT_ID: 'dt-client-id',
          DINGTALK_CLIENT_SECRET: secrets.dingtalkClient,
        },
      });
      cleanups.push(async () => {
        if (cli.child.exitCode === null) {
          cli.child.kill('SIGTERM');
          await cli.exited;
        }
      });
      const [, port] = await cli.waitFor(/"port":(\d+)[^\n]*firstmate started/, 'stderr', 30_000);
      const base = `http://127.0.0.1:${port}`;
      const post = await fetch(`${base}/webhooks/generic?token=${secrets.sourceToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'LeakCheck', severity: 'critical', labels: { team: 'x' } }),
      });
      expect(post.status).toBe(202);
      const auth = { authorization: `Bearer ${secrets.apiToken}` };
      const failed = await waitFor(async () => {
        const res = await fetch(`${base}/api/deliveries/failed`, { headers: auth });
        const body = (await res.json()) as { failed: Array<{ kind: string; error: string }> };
        return body.failed.length >= 2 ? body : undefined;
      }, 'both deliveries failed and recorded');
      expect(failed.failed.map((f) => f.kind).sort()).toEqual(['dingtalk', 'webhook']);
      expect(failed.failed.find((f) => f.kind === 'webhook')!.error).toMatch(/access_token=\[redacted\]/);
      cli.child.stdin.write('alerts failed\n');
      await cli.waitFor(/failed deliveries \(2\)/, 'stdout');
      const stored = new Redis({ port: redisPort, host: '127.0.0.1', password: secrets.redisPassword });
      cleanups.push(() => stored.disconnect());
      const records = await stored.lrange('{firstmate}:failed', 0, -1);
      expect(records).toHaveLength(2);

      cli.child.kill('SIGTERM');
      await cli.exited;
      const everything = [cli.stdout(), cli.stderr(), JSON.stringify(failed), ...records].join('\n');
      expect(cli.stderr()).toMatch(/delivery failed for good/);
      expect(cli.stderr()).toMatch(/"url":"\/webhooks\/generic\?token=\[redacted\]"/);
      for (const [name, value] of Object.entries(secrets)) expect(everything.includes(value), `${name} leaked`).toBe(false);
    },
    60_000,
  );
});
