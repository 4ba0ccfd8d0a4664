/**
 * Where the peers that scripts/peers/provision.sh installs live, and whether
 * they are there. An interop suite whose peer is missing skips loudly, or
 * fails when TSIOD_REQUIRE_PEERS=1 (CI and `npm run test:interop`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PEERS_PYTHON = path.join(REPO_ROOT, '.peers/venv/bin/python');
const REQUIREMENTS = path.join(REPO_ROOT, 'scripts/peers/requirements.txt');

export function peersRequired(): boolean {
  return process.env['TSIOD_REQUIRE_PEERS'] === '1';
}

/** The version of a package that requirements.txt pins ("grpcio" → "1.85.1"). */
export function pinnedVersion(pkg: string): string {
  const pin = readFileSync(REQUIREMENTS, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .find((l) => l.startsWith(`${pkg}==`));
  if (!pin) throw new Error(`${REQUIREMENTS} pins no ${pkg}`);
  return pin.slice(pkg.length + 2);
}

/** Why the pinned grpcio is not usable from .peers/venv, or null when it is. */
export function grpcioPeerProblem(): string | null {
  if (!existsSync(PEERS_PYTHON)) return `${PEERS_PYTHON} does not exist`;
  const wanted = pinnedVersion('grpcio');
  let have: string;
  try {
    have = execFileSync(PEERS_PYTHON, ['-c', 'import grpc; print(grpc.__version__)'], { encoding: 'utf8' }).trim();
  } catch (error) {
    return `${PEERS_PYTHON} cannot import grpc: ${(error as Error).message}`;
  }
  return have === wanted ? null : `.peers/venv has grpcio ${have}, requirements pin ${wanted}`;
}

/** Where scripts/peers/go-peers.sh puts the Go peers: grpc-go-xds-client, grpc-go-xds-server, etcd, kube-apiserver, kubectl, pilot-agent. */
export const PEERS_BIN = path.join(REPO_ROOT, '.peers/bin');
const GO_PEER_VERSIONS = path.join(REPO_ROOT, 'scripts/peers/versions.sh');
const GO_PEER_VERSION_VARIABLE: Readonly<Record<GoPeer, string>> = {
  'grpc-go-xds-client': 'GRPC_GO_INTEROP_VERSION',
  'grpc-go-xds-server': 'GRPC_GO_INTEROP_VERSION',
  etcd: 'ETCD_VERSION',
  'kube-apiserver': 'KUBERNETES_VERSION',
  kubectl: 'KUBERNETES_VERSION',
  'pilot-agent': 'ISTIO_VERSION',
};
export type GoPeer = 'grpc-go-xds-client' | 'grpc-go-xds-server' | 'etcd' | 'kube-apiserver' | 'kubectl' | 'pilot-agent';

export function goPeerPath(peer: GoPeer): string {
  return path.join(PEERS_BIN, peer);
}

/** The version scripts/peers/versions.sh pins for a Go peer ("kube-apiserver" → "v1.37.1"). */
export function goPeerPinnedVersion(peer: GoPeer): string {
  const variable = GO_PEER_VERSION_VARIABLE[peer];
  const line = readFileSync(GO_PEER_VERSIONS, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${variable}=`));
  if (!line) throw new Error(`${GO_PEER_VERSIONS} sets no ${variable}`);
  return line.slice(variable.length + 1).trim();
}

/** Why a Go peer is not usable from .peers/bin at its pinned version, or null when it is. */
export function goPeerProblem(peer: GoPeer): string | null {
  const binary = goPeerPath(peer);
  if (!existsSync(binary)) return `${binary} does not exist`;
  const stamp = `${binary}.version`;
  const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : 'unknown';
  const wanted = goPeerPinnedVersion(peer);
  return have === wanted ? null : `${binary} is ${have}, scripts/peers/versions.sh pins ${wanted}`;
}
