import { ApiProperty } from '@nestjs/swagger';
import { PREFLIGHT_CHECKS, type PreflightCheck } from '../drills/preflight.js';

export class FailedCheckDto {
  @ApiProperty({ enum: PREFLIGHT_CHECKS })
  check!: PreflightCheck;
  problem!: string;
}

/** The one error shape every endpoint answers with. */
export class ErrorBodyDto {
  statusCode!: number;
  /** The HTTP status in words, e.g. `Bad Request`. */
  error!: string;
  /** What is wrong, naming the offending field or id. */
  message!: string;
  /** Quote it when reporting a problem: the service's log lines for the request carry it too. */
  correlationId!: string;
  /** On 409 for a busy target: the drill that holds it. */
  runningDrillId?: string;
  /** On 422: each preflight check that failed, and why. */
  failedChecks?: FailedCheckDto[];
}
