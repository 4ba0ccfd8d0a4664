import { describe, expect, it } from 'vitest';
import {
  authenticateCaller,
  AuthenticationError,
  type AuthenticatedCaller,
  type AuthenticationFailure,
  type Authenticator,
} from '../../../src/ca/authn/authenticator.js';

/** An authenticator with a fixed verdict: the chain's logic is what is under test here. */
function verdict(kind: string, outcome: AuthenticatedCaller | AuthenticationFailure | 'abstain' | 'crash'): Authenticator & { calls: number } {
  return {
    kind,
    calls: 0,
    async authenticate() {
      this.calls += 1;
      if (outcome === 'abstain') return undefined;
      if (outcome === 'crash') throw new TypeError('secret internal detail');
      if (typeof outcome === 'string') throw new AuthenticationError(outcome, `${kind} refused: ${outcome}`);
      return outcome;
    },
  };
}

const alice: AuthenticatedCaller = { namespace: 'ns-a', serviceAccount: 'alice', via: 'jwt' };
const bob: AuthenticatedCaller = { namespace: 'ns-b', serviceAccount: 'bob', via: 'kubernetes-token' };
const withToken = { bearerToken: 'token', peer: 'ipv4:127.0.0.1:1' };

describe('authenticateCaller', () => {
  it('refuses a call with neither token nor certificate without asking anyone', async () => {
    const a = verdict('a', alice);
    await expect(authenticateCaller([a], { peer: 'p' })).rejects.toMatchObject({ reason: 'missing-credentials' });
    expect(a.calls).toBe(0);
  });

  it('accepts the first caller an authenticator vouches for, even after another refused', async () => {
    const first = verdict('kube', 'invalid-token');
    const second = verdict('jwt', alice);
    const third = verdict('other', bob);
    expect(await authenticateCaller([first, second, third], withToken)).toEqual(alice);
    expect(third.calls).toBe(0);
  });

  it('reports an unavailable apiserver over a mere refusal, so the caller retries', async () => {
    await expect(authenticateCaller([verdict('jwt', 'invalid-token'), verdict('kube', 'unavailable')], withToken)).rejects.toMatchObject({ reason: 'unavailable' });
  });

  it('reports an expired token over an unknown one', async () => {
    await expect(authenticateCaller([verdict('a', 'invalid-token'), verdict('b', 'expired-token')], withToken)).rejects.toMatchObject({ reason: 'expired-token' });
  });

  it('refuses a token no authenticator judged', async () => {
    await expect(authenticateCaller([verdict('a', 'abstain')], withToken)).rejects.toMatchObject({ reason: 'invalid-token' });
    await expect(authenticateCaller([], withToken)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('turns an authenticator\'s own crash into a refusal that does not leak its message', async () => {
    const error = (await authenticateCaller([verdict('buggy', 'crash')], withToken).catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.reason).toBe('invalid-token');
    expect(error.message).not.toContain('secret internal detail');
  });
});
