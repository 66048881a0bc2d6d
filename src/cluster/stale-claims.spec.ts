import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from './cluster-nodes.parser.js';
import { staleClaims } from './stale-claims.js';

const id = (letter: string) => letter.repeat(40);
const takers = [
  { name: 'b1', id: id('d'), replacedId: id('a') },
  { name: 'b3', id: id('f'), replacedId: id('c') },
];

describe('staleClaims', () => {
  it('names the ranges a view still gives to a replaced master, with both epochs', () => {
    const view = parseClusterNodes(
      [
        `${id('a')} 127.0.0.1:7001@17001 master,fail - 0 0 1 disconnected`,
        `${id('c')} 127.0.0.1:7003@17003 master,fail - 0 0 3 disconnected 10923-16383`,
        `${id('d')} 127.0.0.1:7011@17011 master - 0 0 9 connected 0-5460`,
        `${id('e')} 127.0.0.1:7012@17012 myself,master - 0 0 8 connected 5461-10922`,
        `${id('f')} 127.0.0.1:7013@17013 master - 0 0 9 connected`,
      ].join('\n'),
    );
    expect(staleClaims(view, takers)).toEqual([
      {
        taker: 'b3',
        takerId: id('f'),
        takerEpoch: 9,
        staleOwnerId: id('c'),
        staleOwnerEpoch: 3,
        slots: [{ start: 10923, end: 16383 }],
      },
    ]);
  });

  it('gives no epoch for a taker the view still lists as a replica', () => {
    const view = parseClusterNodes(
      [
        `${id('a')} 127.0.0.1:7001@17001 master,fail - 0 0 1 disconnected 0-5460`,
        `${id('d')} 127.0.0.1:7011@17011 slave ${id('a')} 0 0 1 connected`,
      ].join('\n'),
    );
    expect(staleClaims(view, takers)).toMatchObject([{ taker: 'b1', takerEpoch: undefined, staleOwnerEpoch: 1 }]);
  });

  it('finds nothing once every view has taken the takeovers in', () => {
    const view = parseClusterNodes(`${id('d')} 127.0.0.1:7011@17011 myself,master - 0 0 9 connected 0-16383`);
    expect(staleClaims(view, takers)).toEqual([]);
  });
});
