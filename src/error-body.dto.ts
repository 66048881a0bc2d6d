import { ApiProperty } from '@nestjs/swagger';
import { PREFLIGHT_CHECKS, type PreflightCheck } from './drills/preflight.js';

export class FailedCheckDto {
  /** The check that failed. */
  @ApiProperty({ enum: PREFLIGHT_CHECKS })
  check!: PreflightCheck;
  /** What is wrong, in words. */
  problem!: string;
}

/** The one error shape every endpoint answers with. */
export class ErrorBodyDto {
  /** The HTTP status code, the same as the response's. */
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
