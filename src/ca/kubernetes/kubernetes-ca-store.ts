/**
 * The CA's key material in the cluster, where istiod keeps it: the
 * plugged-in CA in Secret `cacerts`, tsiod's self-signed root in Secret
 * `istio-ca-secret` (type istio.io/ca-root), both in the system namespace.
 * An istiod and a tsiod pointed at one cluster therefore share a root.
 *
 * Several replicas may start at once: the first create of istio-ca-secret
 * wins, and a replica whose create finds it there (409 AlreadyExists) reads
 * and uses the stored root instead of its own.
 *
 * A root rotation rewrites istio-ca-secret with a PUT naming the
 * resourceVersion it read (the apiserver answers 409 Conflict when another
 * replica wrote since), so each step is written once, whole.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { CaKeyMaterial } from '../ca-key-material.js';
import type { CaStore, SelfSignedCaState, StoredSelfSignedCa } from '../ca-store.js';
import {
  CACERTS_SECRET,
  decodeSecretData,
  ISTIO_CA_SECRET,
  ISTIO_CA_SECRET_TYPE,
  pluggedInFromSecret,
  selfSignedFromSecret,
  selfSignedSecretData,
  selfSignedStateFromSecret,
  selfSignedStateSecretData,
} from './ca-secret-data.js';
import { isJsonObject, KubeRest, statusOf, type JsonObject } from './kube-rest.js';

export interface KubernetesCaStoreOptions {
  /** Where the CA Secrets live: istiod's system namespace (istio-system). */
  readonly namespace: string;
  /** Secret of tsiod's self-signed root; default istio-ca-secret. */
  readonly selfSignedSecretName?: string;
  /** Secret of an operator's plugged-in CA; default cacerts. */
  readonly pluggedInSecretName?: string;
}

export class KubernetesCaStore implements CaStore {
  private readonly rest: KubeRest;
  private readonly namespace: string;
  private readonly selfSignedName: string;
  private readonly pluggedInName: string;

  constructor(kubeConfig: KubeConfig, options: KubernetesCaStoreOptions) {
    this.rest = new KubeRest(kubeConfig);
    this.namespace = options.namespace;
    this.selfSignedName = options.selfSignedSecretName ?? ISTIO_CA_SECRET;
    this.pluggedInName = options.pluggedInSecretName ?? CACERTS_SECRET;
  }

  describe(): string {
    return `Secrets ${this.where(this.pluggedInName)} (plugged-in CA) and ${this.where(this.selfSignedName)} (self-signed root)`;
  }

  async loadPluggedIn(): Promise<CaKeyMaterial | undefined> {
    const where = `Secret ${this.where(this.pluggedInName)}`;
    const secret = await this.readSecret(this.pluggedInName);
    return secret === undefined ? undefined : pluggedInFromSecret(decodeSecretData(secret['data'], where), where);
  }

  async loadSelfSigned(): Promise<CaKeyMaterial | undefined> {
    const where = `Secret ${this.where(this.selfSignedName)}`;
    const secret = await this.readSecret(this.selfSignedName);
    return secret === undefined ? undefined : selfSignedFromSecret(decodeSecretData(secret['data'], where), where);
  }

  async saveSelfSignedIfAbsent(m: CaKeyMaterial): Promise<CaKeyMaterial> {
    const where = `Secret ${this.where(this.selfSignedName)}`;
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: this.selfSignedName, namespace: this.namespace },
      type: ISTIO_CA_SECRET_TYPE,
      data: selfSignedSecretData(m, where),
    };
    try {
      await this.rest.create(this.secretsPath(), body, { sensitive: true });
      return m;
    } catch (error) {
      if (statusOf(error) !== 409) throw new Error(`cannot create ${where}: ${describeFailure(error)}`);
    }
    // Another replica created it first: its root is the one every replica must use.
    const stored = await this.loadSelfSigned();
    if (stored === undefined) throw new Error(`${where} already existed when tsiod tried to create it, and was gone when read back; retry`);
    return stored;
  }

  async loadSelfSignedState(): Promise<StoredSelfSignedCa | undefined> {
    const secret = await this.readSecret(this.selfSignedName);
    return secret === undefined ? undefined : this.storedState(secret);
  }

  async replaceSelfSigned(next: SelfSignedCaState, expectedVersion: string): Promise<StoredSelfSignedCa | undefined> {
    const where = `Secret ${this.where(this.selfSignedName)}`;
    const current = await this.readSecret(this.selfSignedName);
    if (current === undefined) throw new Error(`cannot replace ${where}: it does not exist`);
    const metadata = isJsonObject(current['metadata']) ? current['metadata'] : {};
    if (metadata['resourceVersion'] !== expectedVersion) return undefined;
    const existing = isJsonObject(current['data']) ? (current['data'] as Record<string, string>) : {};
    // The resourceVersion read makes the PUT a compare-and-swap: a write by anyone since gets 409.
    const body = { ...current, type: ISTIO_CA_SECRET_TYPE, data: selfSignedStateSecretData(next, where, existing) };
    let written: JsonObject;
    try {
      written = await this.rest.replace(`${this.secretsPath()}/${encodeURIComponent(this.selfSignedName)}`, body, { sensitive: true });
    } catch (error) {
      if (statusOf(error) === 409) return undefined;
      throw new Error(`cannot update ${where}: ${describeFailure(error)}`);
    }
    return this.storedState(written);
  }

  /** Ends the store's connections to the apiserver. */
  async close(): Promise<void> {
    await this.rest.close();
  }

  private storedState(secret: JsonObject): StoredSelfSignedCa {
    const where = `Secret ${this.where(this.selfSignedName)}`;
    const metadata = isJsonObject(secret['metadata']) ? secret['metadata'] : {};
    const version = metadata['resourceVersion'];
    if (typeof version !== 'string' || version === '') throw new Error(`${where} has no metadata.resourceVersion`);
    return { state: selfSignedStateFromSecret(decodeSecretData(secret['data'], where), where), version };
  }

  private secretsPath(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/secrets`;
  }

  private where(name: string): string {
    return `${this.namespace}/${name}`;
  }

  private async readSecret(name: string): Promise<JsonObject | undefined> {
    try {
      return await this.rest.get(`${this.secretsPath()}/${encodeURIComponent(name)}`, { sensitive: true });
    } catch (error) {
      throw new Error(`cannot read Secret ${this.where(name)}: ${describeFailure(error)}`);
    }
  }
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (statusOf(error) === 403) return `${message} (tsiod's service account needs get, create and update on secrets in this namespace)`;
  return message;
}
