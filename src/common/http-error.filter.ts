import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { AppError } from './app-error.js';
import { correlationIdOf } from './correlation.middleware.js';

/** The one error shape every endpoint answers with (documented as `ErrorBodyDto`). */
interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly correlationId: string;
  readonly [field: string]: unknown;
}

/**
 * Turns every error into the error body: HTTP errors keep their status, an `AppError` with an
 * HTTP status gets it and its response fields, and anything else is logged and answered as a 500
 * that reveals nothing of it.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const correlationId = correlationIdOf(request);
    const { statusCode, message, ...extra } = this.describe(exception, correlationId);
    const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, correlationId, ...extra };
    response.setHeader('x-correlation-id', correlationId).status(statusCode).json(body);
  }

  private describe(exception: unknown, correlationId: string): { statusCode: number; message: string; readonly [field: string]: unknown } {
    const bodyError = bodyParserError(exception);
    if (bodyError) {
      return bodyError;
    }
    if (exception instanceof HttpException) {
      const answer = exception.getResponse();
      const message = typeof answer === 'string' ? answer : ((answer as { message?: string | string[] }).message ?? exception.message);
      return { statusCode: exception.getStatus(), message: Array.isArray(message) ? message.join('; ') : message };
    }
    if (exception instanceof AppError && exception.httpStatus !== undefined) {
      return { statusCode: exception.httpStatus, ...exception.toResponse() };
    }
    const code = exception instanceof AppError ? ` [${exception.code}]` : '';
    this.logger.error(
      `${correlationId}${code}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
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
