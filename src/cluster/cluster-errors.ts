import { ReplyError } from 'ioredis';
import { AppError, errorMessage, isTransient } from '../common/app-error.js';
import { isTransientRedisFailure } from '../common/redis-failure.js';
import { formatAddress, type NodeAddress } from './node-address.js';

export class NodeUnreachableError extends AppError {
  readonly code = 'NODE_UNREACHABLE';
  /** A node that is restarting or briefly cut off answers again soon. */
  override readonly transient = true;

  constructor(
    readonly address: NodeAddress,
    cause: unknown,
  ) {
    super(`cannot connect to Redis at ${formatAddress(address)}: ${errorMessage(cause)}`, { cause });
  }
}

/** A node that did not take the target's credentials (a wrong password, a user turned off or without PING). */
export class NodeAuthenticationError extends AppError {
  readonly code = 'NODE_AUTHENTICATION_FAILED';

  constructor(
    readonly address: NodeAddress,
    cause: unknown,
  ) {
    super(`Redis at ${formatAddress(address)} did not accept the target's credentials: ${errorMessage(cause)}`, { cause });
  }
}

/**
 * A command a node did not carry out: it refused it (`ERR …`), or the connection failed under it.
 * The message is the node's own; transient when the connection failed or the node said it is
 * not ready yet, so that the same command may succeed a moment later.
 */
export class ClusterCommandError extends AppError {
  readonly code = 'CLUSTER_COMMAND_FAILED';
  override readonly transient: boolean;
  /** The node's error reply (`ERR Unknown node …`), when it answered one. */
  readonly reply?: string;

  constructor(
    readonly address: NodeAddress,
    cause: unknown,
    message = errorMessage(cause),
  ) {
    super(message, { cause });
    this.transient = isTransientRedisFailure(cause);
    if (cause instanceof ReplyError) {
      this.reply = (cause as Error).message;
    }
  }
}

/** The typed form of what a command to a node threw; an error already typed passes as it is. */
export function commandFailure(address: NodeAddress, error: unknown): AppError {
  return error instanceof AppError ? error : new ClusterCommandError(address, error);
}

/** The cluster is not in the state an operation needs: a node not empty, a replica of another master. */
export class ClusterStateError extends AppError {
  readonly code = 'CLUSTER_STATE_UNEXPECTED';
}

/**
 * A replica that did not become master after every takeover attempt. Transient when the last
 * attempt failed on something that may clear (the node would not answer), as its wait was.
 */
export class PromotionFailedError extends AppError {
  readonly code = 'PROMOTION_FAILED';
  override readonly transient: boolean;

  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.transient = isTransient(cause);
  }
}
