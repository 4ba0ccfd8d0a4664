/**
 * Top self-time functions of a V8 .cpuprofile (node --cpu-prof): per
 * function (name + script + line), the time of the samples taken while it
 * was on top of the stack.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTimeEntry {
  readonly function: string;
  readonly location: string;
  readonly selfMs: number;
  readonly selfPercent: number;
}

function shortUrl(url: string, repoDir: string): string {
  if (!url) return '(native)';
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  return file.startsWith(repoDir) ? path.relative(repoDir, file) : file.replace(/^.*node_modules\//, 'node_modules/');
}

export function summariseCpuProfile(file: string, repoDir: string, top = 20): SelfTimeEntry[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, { fn: string; location: string; us: number }>();
  let totalUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = nodes.get(nodeId)?.callFrame;
    if (!frame) return;
    const fn = frame.functionName || '(anonymous)';
    const location = `${shortUrl(frame.url, repoDir)}:${frame.lineNumber + 1}`;
    const key = `${fn}@${location}`;
    const entry = selfUs.get(key) ?? { fn, location, us: 0 };
    entry.us += us;
    selfUs.set(key, entry);
    totalUs += us;
  });
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ function: e.fn, location: e.location, selfMs: Math.round(e.us / 1000), selfPercent: Math.round((1000 * e.us) / Math.max(totalUs, 1)) / 10 }));
}

/**
 * The main-thread profile node --cpu-prof wrote for process `pid` in `dir`
 * (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile). Profiles of the
 * process's other threads (tsx's module-loader worker) are deleted: they are
 * not what anyone wants to read.
 */
export function profileOfPid(dir: string, pid: number): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  let main: string | undefined;
  for (const f of fs.readdirSync(dir)) {
    const parts = f.split('.');
    if (parts[0] !== 'CPU' || !f.endsWith('.cpuprofile') || parts[3] !== String(pid)) continue;
    if (parts[4] === '0') main = path.join(dir, f);
    else fs.rmSync(path.join(dir, f));
  }
  return main;
}
