import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isUnhealthyEntry, parseClusterNodes, parseClusterNodesLine, slotCount } from './cluster-nodes.parser.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseClusterNodes on replies captured from the lab (Redis 7.0)', () => {
  it('reads a healthy cluster: three masters with all slots, six replicas, one myself', () => {
    const entries = parseClusterNodes(fixture('healthy-a1.txt'));
    expect(entries).toHaveLength(9);
    const masters = entries.filter((entry) => entry.role === 'master');
    expect(masters.map((entry) => entry.slots)).toEqual(
      expect.arrayContaining([[{ start: 0, end: 5460 }], [{ start: 5461, end: 10922 }], [{ start: 10923, end: 16383 }]]),
    );
    expect(masters.reduce((sum, entry) => sum + slotCount(entry), 0)).toBe(16384);
    const myself = entries.filter((entry) => entry.myself);
    expect(myself).toHaveLength(1);
    expect(myself[0]).toMatchObject({ address: '127.0.0.1:7001', port: 7001, busPort: 17001, role: 'master', linkState: 'connected' });
    for (const replica of entries.filter((entry) => entry.role === 'replica')) {
      expect(masters.map((master) => master.id)).toContain(replica.masterId);
    }
    expect(entries.some(isUnhealthyEntry)).toBe(false);
  });

  it('reads a node in handshake, and a fresh node that does not know its own address yet', () => {
    const entries = parseClusterNodes(fixture('handshake-b4.txt'));
    const handshake = entries.find((entry) => entry.flags.includes('handshake'))!;
    expect(handshake).toMatchObject({ address: '127.0.0.1:7099', linkState: 'disconnected', role: 'unknown', masterId: undefined });
    expect(isUnhealthyEntry(handshake)).toBe(true);
    const self = entries.find((entry) => entry.myself)!;
    expect(self).toMatchObject({ host: '', address: '', port: 7014, busPort: 17014, role: 'master' });
  });

  it('reads a node without address after it was reset under the same port (noaddr)', () => {
    const entries = parseClusterNodes(fixture('noaddr-a1.txt'));
    const lost = entries.find((entry) => entry.flags.includes('noaddr'))!;
    expect(lost).toMatchObject({ host: '', address: '', port: 0, busPort: 0, role: 'replica', linkState: 'disconnected' });
    expect(lost.flags).toEqual(['slave', 'noaddr']);
    expect(isUnhealthyEntry(lost)).toBe(true);
  });

  it('reads a killed replica marked as failed', () => {
    const entries = parseClusterNodes(fixture('fail-a1.txt'));
    const failed = entries.filter((entry) => entry.flags.includes('fail'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ address: '127.0.0.1:7005', role: 'replica', linkState: 'disconnected' });
    expect(failed[0]!.pingSentMs).toBeGreaterThan(0);
  });
});

describe('parseClusterNodesLine', () => {
  const id = 'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca';
  const other = '67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1';

  it('reads single slots, ranges, slots being migrated and imported, and a hostname', () => {
    const entry = parseClusterNodesLine(
      `${id} 10.0.0.1:30001@31001,node-1 myself,master - 0 0 1 connected 0-5460 5470 [5461->-${other}] [5462-<-${other}]`,
    );
    expect(entry.hostname).toBe('node-1');
    expect(entry.slots).toEqual([
      { start: 0, end: 5460 },
      { start: 5470, end: 5470 },
    ]);
    expect(entry.migratingSlots).toEqual([{ slot: 5461, toId: other }]);
    expect(entry.importingSlots).toEqual([{ slot: 5462, fromId: other }]);
    expect(slotCount(entry)).toBe(5462);
  });

  it('reads a suspected failure (fail?)', () => {
    const entry = parseClusterNodesLine(`${id} 127.0.0.1:7001@17001 master,fail? - 1795588137542 1795588135024 1 connected 0-5460`);
    expect(entry.flags).toEqual(['master', 'fail?']);
    expect(isUnhealthyEntry(entry)).toBe(true);
  });

  it.each([
    ['too few fields', `${id} 127.0.0.1:7001@17001 master - 0 0`, /at least 8 fields/],
    ['a short id', `abc 127.0.0.1:7001@17001 master - 0 0 1 connected`, /not 40 hex/],
    ['an unknown flag', `${id} 127.0.0.1:7001@17001 master,weird - 0 0 1 connected`, /unknown flag "weird"/],
    ['an address without bus port', `${id} 127.0.0.1:7001 master - 0 0 1 connected`, /not ip:port@cport/],
    ['a slot past 16383', `${id} 127.0.0.1:7001@17001 master - 0 0 1 connected 0-16384`, /outside 0-16383/],
    ['a reversed range', `${id} 127.0.0.1:7001@17001 master - 0 0 1 connected 10-5`, /reversed/],
    ['an unknown link state', `${id} 127.0.0.1:7001@17001 master - 0 0 1 linked`, /unknown link state/],
    ['a non-numeric epoch', `${id} 127.0.0.1:7001@17001 master - 0 0 x connected`, /config-epoch "x"/],
  ])('rejects %s, quoting the line', (_, line, message) => {
    expect(() => parseClusterNodesLine(line)).toThrow(message);
    expect(() => parseClusterNodesLine(line)).toThrow(line);
  });
});
