import { describe, expect, it } from 'vitest';
import { isAlive, parseProcStat, readProcStat } from './proc-stat.js';

// Fields 3..22 of a real stat line, with a start time of 987654 at field 22.
const TAIL = 'S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615';

describe('parseProcStat', () => {
  it('reads pid, state, ppid, pgid and start time', () => {
    expect(parseProcStat(`4243 (sleep) ${TAIL}`)).toEqual({ pid: 4243, comm: 'sleep', state: 'S', ppid: 1, pgid: 4242, startTime: 987654 });
  });

  it('splits after the LAST parenthesis, so a comm with spaces and ") (" cannot shift the fields', () => {
    const st = parseProcStat(`77 (a) S 9 (b) ) ${TAIL}\n`);
    expect(st).toMatchObject({ pid: 77, comm: 'a) S 9 (b) ', pgid: 4242, startTime: 987654 });
  });

  it('rejects truncated text', () => {
    expect(parseProcStat('12 (x) S 1 2')).toBeNull();
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('reads this very process from /proc', () => {
    const st = readProcStat(process.pid)!;
    expect(st.pid).toBe(process.pid);
    expect(st.ppid).toBe(process.ppid);
    expect(st.startTime).toBeGreaterThan(0);
    expect(isAlive(process.pid)).toBe(true);
    expect(readProcStat(2 ** 22 + 7)).toBeNull(); // above pid_max's maximum
  });
});
