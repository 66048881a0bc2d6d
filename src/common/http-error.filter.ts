import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DrillFinishedError, TargetBusyError } from '../drills/drill-errors.js';
import { DrillNotFoundError } from '../drills/drill-stream.js';
import { PreflightFailedError, type FailedCheck } from '../drills/preflight.js';
import { ScheduleNameTakenError, ScheduleNotFoundError } from '../schedules/schedule-errors.js';
import { DrillsHaltedError, NotHaltedError } from '../safety/halt-switch.js';
import { UnknownTargetError } from '../targets/target-registry.js';
import { correlationIdOf } from './correlation.middleware.js';
import type { ErrorBodyDto } from './error-body.dto.js';

/**
 * Turns every error into `ErrorBodyDto`: HTTP errors keep their status, known domain errors get
 * theirs, and anything else is logged and answered as a 500 that reveals nothing of it.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const correlationId = correlationIdOf(request);
    const { statusCode, message, extra } = this.describe(exception, correlationId);
    const body: ErrorBodyDto = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, correlationId, ...extra };
    response.setHeader('x-correlation-id', correlationId).status(statusCode).json(body);
  }

  private describe(
    exception: unknown,
    correlationId: string,
  ): { statusCode: number; message: string; extra?: { runningDrillId: string } | { failedChecks: FailedCheck[] } } {
    const bodyError = bodyParserError(exception);
    if (bodyError) {
      return bodyError;
    }
    if (exception instanceof HttpException) {
      const answer = exception.getResponse();
      const message = typeof answer === 'string' ? answer : ((answer as { message?: string | string[] }).message ?? exception.message);
      return { statusCode: exception.getStatus(), message: Array.isArray(message) ? message.join('; ') : message };
    }
    if (exception instanceof DrillNotFoundError || exception instanceof ScheduleNotFoundError) {
      return { statusCode: HttpStatus.NOT_FOUND, message: exception.message };
    }
    if (exception instanceof TargetBusyError) {
      return { statusCode: HttpStatus.CONFLICT, message: exception.message, extra: { runningDrillId: exception.runningDrillId } };
    }
    if (exception instanceof DrillFinishedError || exception instanceof ScheduleNameTakenError) {
      return { statusCode: HttpStatus.CONFLICT, message: exception.message };
    }
    if (exception instanceof PreflightFailedError) {
      return {
        statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
        message: exception.message,
        extra: { failedChecks: [...exception.failedChecks] },
      };
    }
    if (exception instanceof DrillsHaltedError) {
      return { statusCode: HttpStatus.LOCKED, message: exception.message };
    }
    if (exception instanceof NotHaltedError) {
      return { statusCode: HttpStatus.CONFLICT, message: exception.message };
    }
    if (exception instanceof UnknownTargetError) {
      return { statusCode: HttpStatus.BAD_REQUEST, message: `target: ${exception.message}` };
    }
    this.logger.error(`${correlationId}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal error; see the service log for this correlation id' };
  }
}

/**
 * What the JSON body parser throws, before any route sees the request: a body too large or not
 * JSON. Nest's adapter wraps it in an HttpException; the parser's own error is its cause.
 */
function bodyParserError(exception: unknown): { statusCode: number; message: string } | undefined {
  const source = exception instanceof HttpException && exception.cause !== undefined ? exception.cause : exception;
  const error = source as { type?: unknown; status?: unknown; limit?: unknown; message?: unknown };
  if (typeof error !== 'object' || error === null || typeof error.status !== 'number') {
    return undefined;
  }
  switch (error.type) {
    case 'entity.too.large':
      return { statusCode: HttpStatus.PAYLOAD_TOO_LARGE, message: `the request body is larger than ${String(error.limit)} bytes` };
    case 'entity.parse.failed':
      return { statusCode: HttpStatus.BAD_REQUEST, message: `the request body is not valid JSON: ${String(error.message)}` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return { statusCode: error.status, message: `the request body could not be read: ${String(error.message)}` };
    default:
      return undefined;
  }
}
