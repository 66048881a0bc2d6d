import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { validateTarget, type DrillTarget } from './drill-target.js';

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

/** The clusters this service may drill, by name. */
export class TargetRegistry {
  private readonly byName: ReadonlyMap<string, DrillTarget>;

  constructor(
    targets: readonly DrillTarget[],
    readonly defaultTarget: string,
  ) {
    targets.forEach(validateTarget);
    this.byName = new Map(targets.map((target) => [target.name, target]));
    if (!this.byName.has(defaultTarget)) {
      throw new UnknownTargetError(defaultTarget, this.names());
    }
  }

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
