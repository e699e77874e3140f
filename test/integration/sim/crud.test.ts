import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../../../sim/sim.ts';
import { podManifest, rejection, startTestSim } from './sim-fixture.ts';

let sim: Sim;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  ({ sim, kc } = await startTestSim());
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await sim.close();
});

describe('discovery', () => {
  it('serves /version, /api, /apis and resource lists', async () => {
    const version = (await (await fetch(`${sim.url}/version`)).json()) as { major: string; gitVersion: string };
    expect(version.major).toBe('1');
    const api = (await (await fetch(`${sim.url}/api`)).json()) as { versions: string[] };
    expect(api.versions).toEqual(['v1']);
    const apis = (await (await fetch(`${sim.url}/apis`)).json()) as { groups: { name: string }[] };
    expect(apis.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'coordination.k8s.io', 'policy', 'apps.kruise.io', 'apps.pingcap.com']),
    );
    const v1 = (await (await fetch(`${sim.url}/api/v1`)).json()) as { resources: { name: string; namespaced: boolean }[] };
    expect(v1.resources).toContainEqual(expect.objectContaining({ name: 'pods', namespaced: true }));
    expect(v1.resources).toContainEqual(expect.objectContaining({ name: 'nodes', namespaced: false }));
    const missing = await fetch(`${sim.url}/apis/networking.k8s.io/v1`);
    expect(missing.status).toBe(404);
  });
});

describe('server-side printing', () => {
  it('answers kubectl-style Table requests with the usual columns', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const res = await fetch(`${sim.url}/api/v1/nodes`, { headers: { accept } });
    const table = (await res.json()) as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[]; object: { kind: string } }[];
    };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
      'Internal-IP',
      'OS-Image',
      'Kernel-Version',
      'Container-Runtime',
    ]);
    expect(table.rows[0]!.cells.slice(0, 2)).toEqual(['node-1', 'Ready']);
    expect(table.rows[0]!.cells[5]).toBe('10.0.0.11');
    expect(table.rows[0]!.object.kind).toBe('PartialObjectMetadata');
  });
});

describe('CRUD', () => {
  it('creates with uid, resourceVersion and creationTimestamp, gets and lists', async () => {
    const created = await core.createNamespacedPod({ namespace: 'team-a', body: podManifest('crud-1', { app: 'crud' }) as V1Pod });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const got = await core.readNamespacedPod({ namespace: 'team-a', name: 'crud-1' });
    expect(got.metadata?.uid).toBe(created.metadata?.uid);
    const listed = await core.listNamespacedPod({ namespace: 'team-a' });
    expect(listed.items.map((p) => p.metadata?.name)).toContain('crud-1');
    expect(Number(listed.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));
  });

  it('keeps resourceVersion monotonically increasing across writes', async () => {
    const a = await core.createNamespacedPod({ namespace: 'team-a', body: podManifest('rv-a') as V1Pod });
    const b = await core.createNamespacedPod({ namespace: 'team-b', body: podManifest('rv-b') as V1Pod });
    const c = await core.patchNamespacedPod(
      { namespace: 'team-a', name: 'rv-a', body: { metadata: { labels: { x: '1' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(Number(b.metadata?.resourceVersion)).toBeGreaterThan(Number(a.metadata?.resourceVersion));
    expect(Number(c.metadata?.resourceVersion)).toBeGreaterThan(Number(b.metadata?.resourceVersion));
  });

  it('answers 409 AlreadyExists, 404 NotFound and 422 Invalid as Status objects', async () => {
    await core.createNamespacedPod({ namespace: 'team-a', body: podManifest('dup') as V1Pod });
    const dup = await rejection(core.createNamespacedPod({ namespace: 'team-a', body: podManifest('dup') as V1Pod }));
    expect(dup.code).toBe(409);
    expect(dup.body).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409, message: 'pods "dup" already exists' });
    const missing = await rejection(core.readNamespacedPod({ namespace: 'team-a', name: 'nope' }));
    expect(missing.code).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found' });
    const noNs = await rejection(core.createNamespacedPod({ namespace: 'ghost', body: podManifest('x') as V1Pod }));
    expect(noNs.code).toBe(404);
    expect(noNs.body.message).toBe('namespaces "ghost" not found');
    const bad = await rejection(core.createNamespacedPod({ namespace: 'team-a', body: podManifest('Bad_Name') as V1Pod }));
    expect(bad.code).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    const noContainers = await rejection(
      core.createNamespacedPod({ namespace: 'team-a', body: { metadata: { name: 'empty' }, spec: { containers: [] } } }),
    );
    expect(noContainers.code).toBe(422);
    expect(noContainers.body.message).toContain('spec.containers');
  });

  it('rejects an update with a stale resourceVersion with 409 Conflict', async () => {
    await core.createNamespacedPod({ namespace: 'team-a', body: podManifest('occ') as V1Pod });
    sim.drivers.settle();
    const first = await core.readNamespacedPod({ namespace: 'team-a', name: 'occ' });
    const stale = structuredClone(first);
    first.metadata!.labels = { round: '1' };
    const updated = await core.replaceNamespacedPod({ namespace: 'team-a', name: 'occ', body: first });
    expect(updated.metadata?.labels).toEqual({ round: '1' });
    stale.metadata!.labels = { round: 'stale' };
    const conflict = await rejection(core.replaceNamespacedPod({ namespace: 'team-a', name: 'occ', body: stale }));
    expect(conflict.code).toBe(409);
    expect(conflict.body).toMatchObject({ reason: 'Conflict', code: 409 });
    expect(conflict.body.message).toContain('the object has been modified; please apply your changes to the latest version and try again');
  });

  it('names objects from generateName', async () => {
    const pod = await core.createNamespacedPod({
      namespace: 'team-b',
      body: { metadata: { generateName: 'worker-' }, spec: podManifest('x').spec } as V1Pod,
    });
    expect(pod.metadata?.name).toMatch(/^worker-[a-z0-9]{5}$/);
    const again = await core.createNamespacedPod({
      namespace: 'team-b',
      body: { metadata: { generateName: 'worker-' }, spec: podManifest('x').spec } as V1Pod,
    });
    expect(again.metadata?.name).not.toBe(pod.metadata?.name);
  });

  it('deletes and then answers 404', async () => {
    await core.createNamespacedPod({ namespace: 'team-b', body: podManifest('gone') as V1Pod });
    const deleted = await core.deleteNamespacedPod({ namespace: 'team-b', name: 'gone', gracePeriodSeconds: 0 });
    expect(deleted.metadata?.name).toBe('gone');
    expect((await rejection(core.readNamespacedPod({ namespace: 'team-b', name: 'gone' }))).code).toBe(404);
    expect((await rejection(core.deleteNamespacedPod({ namespace: 'team-b', name: 'gone' }))).code).toBe(404);
  });

  it('validates dryRun=All writes without storing them', async () => {
    const before = sim.store.resourceVersion();
    const dry = await core.createNamespacedPod({ namespace: 'team-b', body: podManifest('dry') as V1Pod, dryRun: 'All' });
    expect(dry.metadata?.name).toBe('dry');
    expect((await rejection(core.readNamespacedPod({ namespace: 'team-b', name: 'dry' }))).code).toBe(404);
    await core.createNamespacedPod({ namespace: 'team-b', body: podManifest('wet') as V1Pod });
    const afterCreate = sim.store.resourceVersion();
    expect(afterCreate).toBeGreaterThan(before);
    const patched = await core.patchNamespacedPod({
      namespace: 'team-b',
      name: 'wet',
      body: [{ op: 'add', path: '/metadata/labels', value: { dry: 'run' } }],
      dryRun: 'All',
    });
    expect(patched.metadata?.labels).toEqual({ dry: 'run' });
    await core.deleteNamespacedPod({ namespace: 'team-b', name: 'wet', dryRun: 'All' });
    const wet = await core.readNamespacedPod({ namespace: 'team-b', name: 'wet' });
    expect(wet.metadata?.labels ?? {}).toEqual({});
    expect(
      (await rejection(core.createNamespacedPod({ namespace: 'team-b', body: podManifest('wet') as V1Pod, dryRun: 'All' }))).code,
    ).toBe(409);
  });

  it('updates only status through the status subresource and keeps status on main updates', async () => {
    await core.createNamespacedPod({
      namespace: 'team-b',
      body: podManifest('st', {}, { spec: { containers: [{ name: 'app', image: 'x' }], nodeName: 'node-1' } }) as V1Pod,
    });
    sim.drivers.settle();
    const pod = await core.readNamespacedPod({ namespace: 'team-b', name: 'st' });
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.podIP).toMatch(/^10\.244\.1\./);
    pod.status = { phase: 'Succeeded' };
    pod.metadata!.labels = { ignored: 'yes' };
    const after = await core.replaceNamespacedPodStatus({ namespace: 'team-b', name: 'st', body: pod });
    expect(after.status?.phase).toBe('Succeeded');
    expect(after.metadata?.labels ?? {}).not.toHaveProperty('ignored');
    after.status = { phase: 'Failed' };
    const main = await core.replaceNamespacedPod({ namespace: 'team-b', name: 'st', body: after });
    expect(main.status?.phase).toBe('Succeeded');
  });
});

describe('patch', () => {
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

  it('applies JSON patch (the client default), merge patch and strategic merge patch', async () => {
    await core.createNamespacedPod({
      namespace: 'team-a',
      body: {
        metadata: { name: 'p', labels: { a: '1', b: '2' }, annotations: { keep: 'me' } },
        spec: {
          containers: [
            { name: 'app', image: 'app:1' },
            { name: 'side', image: 'side:1' },
          ],
        },
      },
    });
    const jp = await core.patchNamespacedPod({
      namespace: 'team-a',
      name: 'p',
      body: [
        { op: 'replace', path: '/metadata/labels/a', value: 'x' },
        { op: 'remove', path: '/metadata/labels/b' },
      ],
    });
    expect(jp.metadata?.labels).toEqual({ a: 'x' });
    const mp = await core.patchNamespacedPod(
      { namespace: 'team-a', name: 'p', body: { metadata: { labels: { c: '3' }, annotations: { keep: null } } } },
      merge,
    );
    expect(mp.metadata?.labels).toEqual({ a: 'x', c: '3' });
    expect(mp.metadata?.annotations ?? {}).not.toHaveProperty('keep');
    const smp = await core.patchNamespacedPod(
      { namespace: 'team-a', name: 'p', body: { spec: { containers: [{ name: 'side', image: 'side:2' }] } } },
      strategic,
    );
    expect(smp.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=app:1', 'side=side:2']);
    const del = await core.patchNamespacedPod(
      { namespace: 'team-a', name: 'p', body: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } },
      strategic,
    );
    expect(del.spec?.containers.map((c) => c.name)).toEqual(['app']);
    const mergeReplacesList = await core.patchNamespacedPod(
      { namespace: 'team-a', name: 'p', body: { spec: { containers: [{ name: 'only', image: 'o:1' }] } } },
      merge,
    );
    expect(mergeReplacesList.spec?.containers.map((c) => c.name)).toEqual(['only']);
  });

  it('cordons a node with a strategic merge patch of spec.unschedulable', async () => {
    const node = await core.patchNode({ name: 'node-3', body: { spec: { unschedulable: true } } }, strategic);
    expect(node.spec?.unschedulable).toBe(true);
    const back = await core.patchNode({ name: 'node-3', body: { spec: { unschedulable: null } } }, strategic);
    expect(back.spec?.unschedulable).toBeUndefined();
  });

  it('rejects a failing JSON patch test and a merge patch with a stale resourceVersion', async () => {
    const failing = await rejection(
      core.patchNamespacedPod({ namespace: 'team-a', name: 'p', body: [{ op: 'test', path: '/metadata/name', value: 'other' }] }),
    );
    expect(failing.code).toBe(422);
    const stale = await rejection(
      core.patchNamespacedPod({ namespace: 'team-a', name: 'p', body: { metadata: { resourceVersion: '1', labels: { z: '1' } } } }, merge),
    );
    expect(stale.code).toBe(409);
  });

  it('patches StatefulSets, Leases and custom resources (Kruise, PingCAP)', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const coord = kc.makeApiClient(CoordinationV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const lease = await coord.createNamespacedLease({
      namespace: 'team-a',
      body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } },
    });
    const renewed = await coord.replaceNamespacedLease({
      namespace: 'team-a',
      name: 'leader',
      body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } },
    });
    expect(renewed.spec?.holderIdentity).toBe('b');
    expect((await rejection(coord.replaceNamespacedLease({ namespace: 'team-a', name: 'leader', body: lease }))).code).toBe(409);
    const tmpl = { metadata: { labels: { app: 'k' } }, spec: { containers: [{ name: 'k', image: 'kafka:3' }] } };
    const kruise = (await custom.createNamespacedCustomObject({
      group: 'apps.kruise.io',
      version: 'v1beta1',
      namespace: 'team-a',
      plural: 'statefulsets',
      body: {
        apiVersion: 'apps.kruise.io/v1beta1',
        kind: 'StatefulSet',
        metadata: { name: 'kafka' },
        spec: { replicas: 0, selector: { matchLabels: { app: 'k' } }, template: tmpl },
      },
    })) as { metadata: { uid: string }; kind: string };
    expect(kruise.kind).toBe('StatefulSet');
    const patched = (await custom.patchNamespacedCustomObject(
      {
        group: 'apps.kruise.io',
        version: 'v1beta1',
        namespace: 'team-a',
        plural: 'statefulsets',
        name: 'kafka',
        body: { spec: { reserveOrdinals: [1] } },
      },
      merge,
    )) as { spec: { reserveOrdinals: number[] } };
    expect(patched.spec.reserveOrdinals).toEqual([1]);
    const pingcap = (await custom.listNamespacedCustomObject({
      group: 'apps.pingcap.com',
      version: 'v1',
      namespace: 'team-a',
      plural: 'statefulsets',
    })) as { items: unknown[]; kind: string };
    expect(pingcap.kind).toBe('StatefulSetList');
    const sts = await apps.createNamespacedStatefulSet({
      namespace: 'team-b',
      body: {
        metadata: { name: 'db' },
        spec: {
          replicas: 0,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'pg' }] } },
        },
      },
    });
    expect(sts.metadata?.generation).toBe(1);
    const scaled = await apps.patchNamespacedStatefulSet(
      { namespace: 'team-b', name: 'db', body: { spec: { replicas: 0, template: { metadata: { annotations: { v: '2' } } } } } },
      merge,
    );
    expect(scaled.metadata?.generation).toBe(2);
  });
});
