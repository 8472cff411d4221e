/** Memory of a process this suite started, as the OS reports it (/proc/<pid>/status). */
import { readFileSync } from 'node:fs';

/** `VmRSS` (now) or `VmHWM` (peak since start) in MB; NaN when /proc is unavailable. */
export function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return line === undefined ? NaN : Number(line.replace(/\D+/g, '')) / 1024;
  } catch {
    return NaN;
  }
}
