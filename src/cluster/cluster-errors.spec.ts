import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isTransient } from '../common/app-error.js';
import { ClusterCommandError, commandFailure, NodeUnreachableError, PromotionFailedError } from './cluster-errors.js';

const node = { host: '127.0.0.1', port: 7011 };

describe('the errors of a Redis node', () => {
  it('says a node that cannot be reached is worth another try, naming it and keeping the cause', () => {
    const cause = new Error('Connection is closed.');
    const error = new NodeUnreachableError(node, cause);
    expect(error.message).toBe('cannot connect to Redis at 127.0.0.1:7011: Connection is closed.');
    expect(error).toMatchObject({ code: 'NODE_UNREACHABLE', transient: true, cause });
  });

  it("keeps a failed command's own message, and is transient by what the node or the connection said", () => {
    const dropped = commandFailure(node, Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(dropped).toBeInstanceOf(ClusterCommandError);
    expect(dropped).toMatchObject({ message: 'read ECONNRESET', code: 'CLUSTER_COMMAND_FAILED', transient: true });
    const refused = new ClusterCommandError(node, new (ReplyError as new (message: string) => Error)('ERR Unknown node 4f2a'));
    expect(refused).toMatchObject({ message: 'ERR Unknown node 4f2a', reply: 'ERR Unknown node 4f2a', transient: false });
  });

  it('passes an error already typed through as it is', () => {
    const unreachable = new NodeUnreachableError(node, new Error('Connection is closed.'));
    expect(commandFailure(node, unreachable)).toBe(unreachable);
  });

  it('retries a failed promotion only when its last attempt failed on something transient', () => {
    const dropped = new ClusterCommandError(node, new Error('Connection is closed.'));
    expect(isTransient(new PromotionFailedError('b2 did not become master', dropped))).toBe(true);
    expect(isTransient(new PromotionFailedError('b2 did not become master', new Error('ROLE still answers slave')))).toBe(false);
  });
});
