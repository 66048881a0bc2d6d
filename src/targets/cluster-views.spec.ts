import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from '../cluster/cluster-nodes.parser.js';
import { viewsDisagreement } from './cluster-views.js';

const id = (node: string) => node.padEnd(40, '0');
const line = (node: string, flags: string, master = '-', slots = '') =>
  `${id(node)} 10.0.0.${node.charCodeAt(0) - 96}${node.slice(1)}:6379@16379 ${flags} ${master} 0 0 1 connected ${slots}`.trim();
const view = (from: string, ...lines: string[]) => ({ from, entries: parseClusterNodes(lines.join('\n')) });
const settled = (self: string) =>
  [
    line('a1', self === 'a1' ? 'myself,master' : 'master', '-', '0-8191'),
    line('a2', self === 'a2' ? 'myself,master' : 'master', '-', '8192-16383'),
    line('b1', self === 'b1' ? 'myself,slave' : 'slave', id('a1')),
    line('b2', self === 'b2' ? 'myself,slave' : 'slave', id('a2')),
  ] as const;

describe('viewsDisagreement', () => {
  it('finds nothing when every member sees the same members in the same roles', () => {
    expect(viewsDisagreement([view('a1', ...settled('a1')), view('a2', ...settled('a2')), view('b1', ...settled('b1'))])).toBeUndefined();
    expect(viewsDisagreement([])).toBeUndefined();
    expect(viewsDisagreement([view('a1', ...settled('a1'))])).toBeUndefined();
  });

  it('names a member the asked node does not know yet, or knows only by handshake', () => {
    const [a1, a2, b1] = settled('a1');
    expect(viewsDisagreement([view('a1', a1, a2, b1), view('a2', ...settled('a2'))])).toBe(
      'a1 does not know the member b2000000 that a2 sees as a replica of a2000000 at 10.0.0.22:6379',
    );
    const handshaking = `${id('b2')} 10.0.0.22:6379@16379 handshake - 0 0 0 connected`;
    expect(viewsDisagreement([view('a1', a1, a2, b1, handshaking), view('a2', ...settled('a2'))])).toContain(
      'a1 does not know the member b2000000',
    );
  });

  it('names a member another node does not know yet', () => {
    const [, a2, b1] = settled('a2');
    expect(viewsDisagreement([view('a1', ...settled('a1')), view('a2', a2, b1)])).toBe(
      'a2 does not know the member a1000000 that a1 sees as a master of slots 0-8191 at 10.0.0.11:6379',
    );
  });

  it('names a member whose role has not reached every node: a new replica still seen as a master without slots', () => {
    const [a1, a2, b1] = settled('a1');
    const b2AsMaster = line('b2', 'master');
    expect(viewsDisagreement([view('a1', a1, a2, b1, b2AsMaster), view('b2', ...settled('b2'))])).toBe(
      'a1 sees the member b2000000 as a master without slots at 10.0.0.22:6379, b2 sees it as a replica of a2000000 at 10.0.0.22:6379',
    );
  });
});
