/**
 * The Lease lock against a real kube-apiserver. Mutual exclusion is shown by
 * order, not time: a holder's fn does not finish until the other replica
 * has been seen waiting, so an ordering log in which the two fns overlap
 * (or a Lease naming someone else while fn runs) would fail the test.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leaseLock, type LeaseLockOptions } from '../../../../src/ca/kubernetes/lease-lock.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../../helpers/kube-env.js';
import { deferred, eventually, kubeJson, kubeJsonOk } from '../../../ca/kubernetes/fixtures.js';

const NAMESPACE = 'istio-system';
const leasePath = (name: string): string => `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/${name}`;

interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
  readonly leaseDurationSeconds?: number;
}

whenKubeEnvAvailable('Lease lock on a real kube-apiserver', () => {
  describe('Lease lock on a real kube-apiserver', () => {
    let env: KubeEnv;
    let leaseCount = 0;

    const freshLeaseName = (): string => `ca-root-${++leaseCount}`;

    async function leaseSpec(name: string): Promise<LeaseSpec | undefined> {
      const response = await kubeJson(env.kubeConfig, 'GET', leasePath(name));
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw new Error(`GET lease ${name}: ${response.status}`);
      return (response.body['spec'] ?? {}) as LeaseSpec;
    }

    /** A lock as a separate replica would make it: its own KubeConfig. */
    function lockFor(name: string, holder: string, extra: Partial<LeaseLockOptions> = {}): ReturnType<typeof leaseLock> {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(env.kubeconfigPath);
      return leaseLock(kubeConfig, { namespace: NAMESPACE, name, holder, retryPeriodMs: 50, ...extra });
    }

    beforeAll(async () => {
      env = await startKubeEnv();
      await kubeJsonOk(env.kubeConfig, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(env.logs());
    });

    afterAll(async () => {
      await env?.stop();
    });

    it('two replicas racing: one fn at a time, each while the Lease names its replica, and the Lease released after', async () => {
      const name = freshLeaseName();
      const log: string[] = [];
      const waitedOn = { a: [] as string[], b: [] as string[] };
      const sawWaiting = { a: deferred(), b: deferred() };
      const finished = { a: deferred(), b: deferred() };
      const locks = {
        a: lockFor(name, 'replica-a', { onWaiting: (holder) => { waitedOn.a.push(holder); sawWaiting.a.resolve(); } }),
        b: lockFor(name, 'replica-b', { onWaiting: (holder) => { waitedOn.b.push(holder); sawWaiting.b.resolve(); } }),
      };
      const run = (self: 'a' | 'b', other: 'a' | 'b'): Promise<string> =>
        locks[self](async () => {
          log.push(`${self} start`);
          log.push(`${self} sees ${(await leaseSpec(name))?.holderIdentity}`);
          // Hold on until the other replica has found the Lease taken, or has already had its turn.
          await Promise.race([sawWaiting[other].promise, finished[other].promise]);
          log.push(`${self} sees ${(await leaseSpec(name))?.holderIdentity}`);
          log.push(`${self} end`);
          finished[self].resolve();
          return `${self} result`;
        });

      const results = await Promise.all([run('a', 'b'), run('b', 'a')]);
      expect(results).toEqual(['a result', 'b result']);
      const first = log[0]!.slice(0, 1) as 'a' | 'b';
      const second = first === 'a' ? 'b' : 'a';
      const holder = (id: string): string => `replica-${id}`;
      expect(log).toEqual([
        `${first} start`, `${first} sees ${holder(first)}`, `${first} sees ${holder(first)}`, `${first} end`,
        `${second} start`, `${second} sees ${holder(second)}`, `${second} sees ${holder(second)}`, `${second} end`,
      ]);
      // The second waited, on the first.
      expect(waitedOn[second]).toContain(holder(first));
      expect(waitedOn[first]).toEqual([]);
      const after = await leaseSpec(name);
      expect(after?.holderIdentity ?? '').toBe('');
      // client-go counts a change of holder as a transition: creation, then one hand-over.
      expect(after?.leaseTransitions).toBe(1);
    });

    it('takes over a Lease whose holder stopped renewing, once it has expired', async () => {
      const name = freshLeaseName();
      await kubeJsonOk(env.kubeConfig, 'POST', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases`, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: 'crashed-replica', leaseDurationSeconds: 1 },
      });
      const waitedOn: string[] = [];
      const seen = await lockFor(name, 'replica-new', { onWaiting: (h) => waitedOn.push(h) })(async () => leaseSpec(name));
      expect(waitedOn).toContain('crashed-replica');
      expect(seen?.holderIdentity).toBe('replica-new');
      expect(seen?.leaseTransitions).toBe(1);
    });

    it('renews while fn runs past the lease duration, and the waiting replica stays out until it ends', async () => {
      const name = freshLeaseName();
      const log: string[] = [];
      const bWaiting = deferred();
      const aHolds = deferred();
      const a = lockFor(name, 'replica-a', { leaseSeconds: 1 })(async () => {
        aHolds.resolve();
        log.push('a start');
        await bWaiting.promise;
        // Outlive the 1 s lease several times over: only renewals keep it.
        const renewals = new Set<string>();
        await eventually('three renewals by replica-a', async () => {
          const spec = await leaseSpec(name);
          expect(spec?.holderIdentity).toBe('replica-a');
          if (spec?.renewTime) renewals.add(spec.renewTime);
          return renewals.size >= 4;
        });
        log.push('a end');
      });
      await aHolds.promise;
      const b = lockFor(name, 'replica-b', { leaseSeconds: 1, onWaiting: () => bWaiting.resolve() })(async (leaseLost) => {
        log.push('b start');
        // Having waited longer than a lease does not count against b's own (its renew deadline starts at its acquire).
        log.push(`b sees ${(await leaseSpec(name))?.holderIdentity}, lost: ${leaseLost.aborted}`);
      });
      await Promise.all([a, b]);
      expect(log).toEqual(['a start', 'a end', 'b start', 'b sees replica-b, lost: false']);
    });

    it('releases the Lease when fn throws, and the caller gets the error', async () => {
      const name = freshLeaseName();
      // The shape bootstrap-ca's creationLock takes (security contracts): fn without arguments.
      const creationLock: <T>(fn: () => Promise<T>) => Promise<T> = lockFor(name, 'replica-a');
      await expect(creationLock(async () => {
        expect((await leaseSpec(name))?.holderIdentity).toBe('replica-a');
        throw new Error('fn failed');
      })).rejects.toThrow('fn failed');
      expect((await leaseSpec(name))?.holderIdentity ?? '').toBe('');
      // Free at once for the next replica: it does not wait out the lease.
      const waitedOn: string[] = [];
      await lockFor(name, 'replica-b', { onWaiting: (h) => waitedOn.push(h) })(async () => undefined);
      expect(waitedOn).toEqual([]);
    });

    it("aborts fn's signal when it cannot renew (apiserver unreachable) before a waiter could take the Lease", async () => {
      const name = freshLeaseName();
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(env.proxiedKubeconfigPath);
      try {
        const reason = await leaseLock(kubeConfig, { namespace: NAMESPACE, name, holder: 'replica-a', leaseSeconds: 1 })(async (leaseLost) => {
          await env.cutProxy();
          await eventually('the lease-lost signal', () => leaseLost.aborted);
          return (leaseLost.reason as Error).message;
        });
        expect(reason).toMatch(/could not be renewed in time/);
      } finally {
        await env.restoreProxy();
      }
    });

    it("aborts fn's signal when another holder takes the Lease while fn runs", async () => {
      const name = freshLeaseName();
      const result = await lockFor(name, 'replica-a', { leaseSeconds: 1 })(async (leaseLost) => {
        // A compare-and-swap like any replica's; a renewal landing in between makes it 409, and it is tried again.
        await eventually('the intruder taking the Lease', async () => {
          const current = await kubeJsonOk(env.kubeConfig, 'GET', leasePath(name));
          const spec = current['spec'] as Record<string, unknown>;
          const put = await kubeJson(env.kubeConfig, 'PUT', leasePath(name), { ...current, spec: { ...spec, holderIdentity: 'intruder', leaseDurationSeconds: 60 } });
          if (put.status !== 200 && put.status !== 409) throw new Error(`PUT lease: ${put.status}`);
          return put.status === 200;
        });
        await eventually('the lease-lost signal', () => leaseLost.aborted);
        return (leaseLost.reason as Error).message;
      });
      expect(result).toMatch(/taken by another holder/);
      // Not ours any more: the lock leaves the intruder's Lease alone.
      expect((await leaseSpec(name))?.holderIdentity).toBe('intruder');
    });
  });
});
