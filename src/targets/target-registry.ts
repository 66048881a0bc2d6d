import { validateTarget, type DrillTarget } from './drill-target.js';

export class UnknownTargetError extends Error {
  constructor(
    readonly targetName: string,
    known: readonly string[],
  ) {
    super(`unknown target ${JSON.stringify(targetName)}; known targets: ${known.join(', ')}`);
    this.name = 'UnknownTargetError';
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
