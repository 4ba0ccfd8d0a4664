import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateCa } from '../../src/ca/bootstrap-ca.js';
import { runCaRoot, stateDirCaStore } from '../../src/cli/ca-root.js';

const run = promisify(execFile);

describe('tsiod ca root', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-ca-root-'));
  });
  afterEach(async () => rm(stateDir, { recursive: true, force: true }));

  it('prints the trust bundle of the state directory\'s CA, which verifies what that CA issues (openssl verify)', async () => {
    const { authority } = await loadOrCreateCa(stateDirCaStore({ stateDir }), { trustDomain: 'cluster.local', algorithm: 'ECDSA' });
    let out = '';
    await runCaRoot({ stateDir }, (t) => { out += t; });
    expect(out).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(out).not.toMatch(/PRIVATE KEY/);
    const root = new X509Certificate(out);
    expect(root.ca).toBe(true);

    const issued = await authority.issueWorkloadCertificate({ trustDomain: 'cluster.local', namespace: 'a', serviceAccount: 'b' });
    await writeFile(path.join(stateDir, 'bundle.pem'), out);
    await writeFile(path.join(stateDir, 'leaf.pem'), issued.certChainPem[0] ?? '');
    const { stdout } = await run('openssl', ['verify', '-CAfile', path.join(stateDir, 'bundle.pem'), path.join(stateDir, 'leaf.pem')]);
    expect(stdout).toMatch(/: OK/);
  });

  it('says how to create a CA when the state directory has none', async () => {
    await expect(runCaRoot({ stateDir }, () => undefined)).rejects.toThrow(/no CA in self-signed CA directory .*: run `tsiod serve`/);
  });
});
