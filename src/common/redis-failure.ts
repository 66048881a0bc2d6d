import { ReplyError } from 'ioredis';

/** What ioredis says when a connection closes under a command; it gives no code for it. */
const CONNECTION_CLOSED = 'Connection is closed.';
/** What ioredis says when a command outlives `commandTimeout`. */
const COMMAND_TIMED_OUT = 'Command timed out';
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** Replies of a node that is loading its data, rehashing a slot or waiting for the cluster to come back. */
const NOT_READY_REPLIES = new Set(['LOADING', 'TRYAGAIN', 'CLUSTERDOWN']);

/**
 * Classifies a raw ioredis failure by its code, its reply or, lacking both, ioredis' fixed
 * wording. Only the classes that wrap ioredis call it (the cluster's connections, the target
 * locks), each to set the `transient` of the typed error it throws instead.
 */
export function isTransientRedisFailure(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && SOCKET_CODES.has(code)) {
    return true;
  }
  if (error instanceof ReplyError) {
    return NOT_READY_REPLIES.has(error.message.split(' ', 1)[0]!);
  }
  return error.message === CONNECTION_CLOSED || error.message === COMMAND_TIMED_OUT;
}
