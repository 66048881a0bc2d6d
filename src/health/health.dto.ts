export class DependencyHealthDto {
  ok!: boolean;
  /** Why the dependency is not healthy. */
  error?: string;
}

export class HealthChecksDto {
  /** The SQLite audit log. */
  database!: DependencyHealthDto;
  /** The Redis that holds the job queue. */
  queue!: DependencyHealthDto;
  /** The Docker engine that runs the target's nodes. */
  docker!: DependencyHealthDto;
}

export class HealthDto {
  status!: 'ok' | 'unavailable';
  checks!: HealthChecksDto;
}
