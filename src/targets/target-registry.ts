import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { formatAddress, type NodeAddress } from '../cluster/node-address.js';
import type { RedisSecurity } from '../cluster/redis-security.js';
import { targetNodes, validateTarget, type DrillTarget } from './drill-target.js';
import { PROCESS_SECRETS, resolveTargetSecurity, type SecretSource } from './target-security.js';

export class UnknownTargetError extends AppError {
  readonly code = 'UNKNOWN_TARGET';
  override readonly httpStatus = HttpStatus.BAD_REQUEST;

  constructor(
    readonly targetName: string,
    known: readonly string[],
  ) {
    super(`unknown target ${JSON.stringify(targetName)}; known targets: ${known.join(', ')}`);
  }

  /** An API caller learns which field was wrong. */
  override toResponse() {
    return { message: `target: ${this.message}` };
  }
}

/**
 * The clusters this service may drill, by name, and how to connect to each: the passwords and
 * certificates they name are read once, here, so that a missing one stops the boot.
 */
export class TargetRegistry {
  private readonly byName: ReadonlyMap<string, DrillTarget>;
  private readonly securityByName: ReadonlyMap<string, RedisSecurity>;
  private readonly securityByNode: ReadonlyMap<string, RedisSecurity>;

  constructor(
    targets: readonly DrillTarget[],
    readonly defaultTarget: string,
    secrets: SecretSource = PROCESS_SECRETS,
  ) {
    targets.forEach(validateTarget);
    this.byName = new Map(targets.map((target) => [target.name, target]));
    if (!this.byName.has(defaultTarget)) {
      throw new UnknownTargetError(defaultTarget, this.names());
    }
    this.securityByName = new Map(targets.map((target) => [target.name, resolveTargetSecurity(target, secrets)]));
    this.securityByNode = new Map(
      targets.flatMap((target) => targetNodes(target).map((node) => [formatAddress(node), this.securityByName.get(target.name)!])),
    );
  }

  /** How to connect to the target's nodes: its credentials and TLS material. */
  security(name: string): RedisSecurity {
    this.get(name);
    return this.securityByName.get(name)!;
  }

  /** The security of the target a node belongs to; no node belongs to two targets. */
  readonly securityAt = (address: NodeAddress): RedisSecurity | undefined => this.securityByNode.get(formatAddress(address));

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): DrillTarget {
    const target = this.byName.get(name);
    if (!target) {
      throw new UnknownTargetError(name, this.names());
    }
    return target;
  }
}
