import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeConfigError, buildKubeConfig } from '../../../kube/client.ts';

const kubeconfig = (name: string, server: string) => `apiVersion: v1
kind: Config
clusters:
- name: ${name}
  cluster:
    server: ${server}
users:
- name: ${name}
  user:
    token: t-${name}
contexts:
- name: ${name}
  context:
    cluster: ${name}
    user: ${name}
current-context: ${name}
`;

describe('buildKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firstmate-kubeconfig-'));
  const a = join(dir, 'a.yaml');
  const b = join(dir, 'b.yaml');
  writeFileSync(a, kubeconfig('alpha', 'https://alpha.example:6443'));
  writeFileSync(b, kubeconfig('beta', 'https://beta.example:6443'));

  it('takes a plain URL (the simulated cluster) and allows http there', () => {
    const kc = buildKubeConfig({ url: 'http://127.0.0.1:1234' });
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'http://127.0.0.1:1234', skipTLSVerify: true });
  });

  it('loads an explicit kubeconfig file and can switch context', () => {
    expect(buildKubeConfig({ kubeconfigPath: a }).getCurrentCluster()?.server).toBe('https://alpha.example:6443');
  });

  it('merges every file of KUBECONFIG, the first one deciding the context', () => {
    const kc = buildKubeConfig({ kubeconfigEnv: `${a}:${b}` });
    expect(kc.getCurrentCluster()?.name).toBe('alpha');
    expect(
      kc
        .getContexts()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['alpha', 'beta']);
    expect(buildKubeConfig({ kubeconfigEnv: `${a}:${b}`, context: 'beta' }).getCurrentCluster()?.server).toBe('https://beta.example:6443');
  });

  it('fails clearly with nothing configured or a missing file', () => {
    expect(() => buildKubeConfig({})).toThrow(KubeConfigError);
    expect(() => buildKubeConfig({ kubeconfigPath: join(dir, 'missing.yaml') })).toThrow(/cannot load the cluster configuration/);
  });
});
