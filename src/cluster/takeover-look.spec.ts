import { describe, expect, it } from 'vitest';
import { parseClusterNodesLine } from './cluster-nodes.parser.js';
import { takeoverRefusal } from './takeover-look.js';

const id = (letter: string) => letter.repeat(40);
const order = { name: 'b1', id: id('d'), masterId: id('a') };
const look = (line: string) => ({ self: parseClusterNodesLine(line), currentEpoch: 7 });

describe('takeoverRefusal', () => {
  it('lets a replica of the master it is to replace take over', () => {
    expect(takeoverRefusal(order, look(`${id('d')} 127.0.0.1:7011@17011 myself,slave ${id('a')} 0 0 1 connected`))).toBeUndefined();
  });

  it('lets a standby already promoted pass', () => {
    expect(takeoverRefusal(order, look(`${id('d')} 127.0.0.1:7011@17011 myself,master - 0 0 8 connected 0-5460`))).toBeUndefined();
  });

  it('refuses a replica of another master, whose slots it would claim', () => {
    expect(takeoverRefusal(order, look(`${id('d')} 127.0.0.1:7011@17011 myself,slave ${id('b')} 0 0 1 connected`))).toBe(
      `b1 now replicates ${id('b')}, not ${id('a')}; a takeover would claim the wrong slots`,
    );
  });

  it('refuses a node that is no longer the one recorded', () => {
    expect(takeoverRefusal(order, look(`${id('e')} 127.0.0.1:7011@17011 myself,slave ${id('a')} 0 0 1 connected`))).toBe(
      `b1 is now node ${id('e')}, not ${id('d')} as recorded; a takeover would act on another node`,
    );
  });

  it('refuses a node that lists no entry for itself', () => {
    expect(takeoverRefusal(order, { self: undefined, currentEpoch: 7 })).toBe('b1 lists no node flagged myself');
  });
});
