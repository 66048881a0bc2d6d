import { describe, expect, it } from 'vitest';
import { errorKind, overallFigures, shardFigures, type ProbeWrite } from './probe-report.js';

const write = (seq: number, doneAt: number, outcome: ProbeWrite['outcome'] = 'acked', error?: ProbeWrite['error']): ProbeWrite => ({
  seq,
  sentAt: doneAt - 1,
  doneAt,
  outcome,
  ...(error ? { error } : {}),
});

describe('shardFigures', () => {
  it('finds the longest stretch without a success, lost acknowledged writes and failed writes that landed', () => {
    const writes = [
      write(1, 1010),
      write(2, 1030),
      write(3, 1200, 'failed', 'clusterDown'),
      write(4, 1400, 'unknown', 'timeout'),
      write(5, 1450),
      write(6, 1470),
    ];
    const figures = shardFigures(writes, new Set([1, 2, 4, 5]), 1000, 1500);
    expect(figures).toEqual({
      writes: 6,
      acked: 4,
      failed: 1,
      unknown: 1,
      lostAckedWrites: 1,
      failedButPresent: 1,
      clientRtoMs: 420,
      errors: { clusterDown: 1, redirects: 0, connection: 0, readonly: 0, timeout: 1, other: 0 },
    });
  });

  it('counts the wait for the first success and after the last as outage too', () => {
    expect(shardFigures([write(1, 1300)], new Set([1]), 1000, 1400).clientRtoMs).toBe(300);
    expect(shardFigures([], new Set(), 1000, 1600).clientRtoMs).toBe(600);
  });
});

describe('overallFigures', () => {
  it('sums the shards and keeps the worst RTO', () => {
    const a = shardFigures([write(1, 1100)], new Set([1]), 1000, 1200);
    const b = shardFigures([write(1, 1500, 'failed', 'connection')], new Set(), 1000, 1600);
    expect(overallFigures([a, b])).toMatchObject({ writes: 2, acked: 1, failed: 1, clientRtoMs: 600, errors: { connection: 1 } });
  });
});

describe('errorKind', () => {
  it.each([
    ['CLUSTERDOWN The cluster is down', 'clusterDown'],
    ['Too many Cluster redirections. Last error: MOVED 3999 127.0.0.1:7011', 'redirects'],
    ["READONLY You can't write against a read only replica.", 'readonly'],
    ['connect ECONNREFUSED 127.0.0.1:7001', 'connection'],
    ['Connection is closed.', 'connection'],
    ['ERR something else', 'other'],
  ])('sorts %j as %s', (message, kind) => {
    expect(errorKind(new Error(message))).toBe(kind);
  });
});
