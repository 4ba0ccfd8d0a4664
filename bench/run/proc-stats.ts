/**
 * RSS and CPU time of another process, read from /proc the way `ps` does:
 * VmRSS/VmHWM from /proc/<pid>/status, utime+stime (fields 14 and 15) from
 * /proc/<pid>/stat in clock ticks.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

const CLK_TCK = clockTicksPerSecond();

export interface ProcSample {
  readonly rssBytes: number;
  /** Peak RSS so far (VmHWM). */
  readonly peakRssBytes: number;
  /** User + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

export function sampleProcess(pid: number): ProcSample {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after it are split from its closing parenthesis.
  const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(afterComm[11]);
  const stime = Number(afterComm[12]);
  return {
    rssBytes: statusKb(status, 'VmRSS') * 1024,
    peakRssBytes: statusKb(status, 'VmHWM') * 1024,
    cpuSeconds: (utime + stime) / CLK_TCK,
  };
}

/**
 * CPU seconds the whole machine has spent busy (all processes, from the
 * "cpu" line of /proc/stat). Compared with the server's and simulator's own
 * CPU it shows how much else was running during a measurement.
 */
export function machineBusyCpuSeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal ...
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLK_TCK;
}
