import { BadRequestException, Logger, type ArgumentsHost } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { DrillFinishedError, TargetBusyError } from './drills/drill-errors.js';
import { DrillNotFoundError } from './drills/drill-stream.js';
import { PreflightFailedError } from './drills/preflight.js';
import { DrillsHaltedError, NotHaltedError } from './safety/halt-switch.js';
import { ScheduleNameTakenError, ScheduleNotFoundError } from './schedules/schedule-errors.js';
import { UnknownTargetError } from './targets/target-registry.js';

/** What the filter answers for an error thrown while serving a request with correlation id `c-1`. */
function answer(exception: unknown): { status: number; body: Record<string, unknown> } {
  const sent = { status: 0, body: {} as Record<string, unknown> };
  const response = {
    setHeader: () => response,
    status: (status: number) => ((sent.status = status), response),
    json: (body: Record<string, unknown>) => ((sent.body = body), response),
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ correlationId: 'c-1', headers: {} }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  return sent;
}

describe('the API answer to each error', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives a busy target 409 with the drill that holds it', () => {
    expect(answer(new TargetBusyError('lab', 'd-1'))).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        message: 'target lab is busy with drill d-1; retry when it has finished, or ask to wait with "waitForTarget": true',
        correlationId: 'c-1',
        runningDrillId: 'd-1',
      },
    });
  });

  it('gives a refused preflight 422 with every failed check', () => {
    const failedChecks = [{ check: 'target-ready', problem: 'b4 is unreachable' }] as const;
    expect(answer(new PreflightFailedError(failedChecks))).toEqual({
      status: 422,
      body: {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'preflight failed: target-ready: b4 is unreachable',
        correlationId: 'c-1',
        failedChecks,
      },
    });
  });

  it('names the field of an unknown target in a 400', () => {
    expect(answer(new UnknownTargetError('nope', ['lab'])).body).toMatchObject({
      statusCode: 400,
      message: 'target: unknown target "nope"; known targets: lab',
    });
  });

  it('answers 404 for what does not exist, 409 for a wrong state and 423 while drills are halted', () => {
    expect(answer(new DrillNotFoundError('d-1')).status).toBe(404);
    expect(answer(new ScheduleNotFoundError('s-1')).status).toBe(404);
    expect(answer(new DrillFinishedError('d-1', 'succeeded')).status).toBe(409);
    expect(answer(new ScheduleNameTakenError('nightly')).status).toBe(409);
    expect(answer(new NotHaltedError()).status).toBe(409);
    expect(answer(new DrillsHaltedError({ engaged: true, reason: 'incident', by: 'ops', since: '2026-11-30T00:00:00.000Z' })).body).toEqual(
      {
        statusCode: 423,
        error: 'Locked',
        message:
          'drills are halted since 2026-11-30T00:00:00.000Z by ops: incident; an admin releases the halt with DELETE /api/safety/halt',
        correlationId: 'c-1',
      },
    );
  });

  it('keeps the status and message of an HTTP error', () => {
    expect(answer(new BadRequestException(['name must be a string', 'cron is required'])).body).toMatchObject({
      statusCode: 400,
      message: 'name must be a string; cron is required',
    });
  });

  it('hides anything else behind a 500 and logs it', () => {
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    expect(answer(new Error('SQLITE_IOERR: disk I/O error')).body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error; see the service log for this correlation id',
      correlationId: 'c-1',
    });
    expect(logged).toHaveBeenCalledOnce();
  });
});
