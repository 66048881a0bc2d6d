import { describe, expect, it } from 'vitest';
import { NodeControlRefusedError } from '../nodes/node-control.js';
import { DockerEngineError, engineFailure } from './docker-engine.js';

describe('the errors of the Docker engine', () => {
  it('takes a 5xx answer or an engine out of reach as worth another try', () => {
    expect(new DockerEngineError(Object.assign(new Error('(HTTP code 500) server error'), { statusCode: 500 })).transient).toBe(true);
    expect(new DockerEngineError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).transient).toBe(true);
    expect(new DockerEngineError(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' })).transient).toBe(
      false,
    );
  });

  it("fails at once on the engine's refusal, keeping its message, status and cause", () => {
    const cause = Object.assign(new Error('no such container'), { statusCode: 404 });
    expect(new DockerEngineError(cause)).toMatchObject({ message: 'no such container', statusCode: 404, transient: false, cause });
  });

  it('passes an error already typed through as it is', () => {
    const refused = new NodeControlRefusedError('container a1 lacks the label');
    expect(engineFailure(refused)).toBe(refused);
  });
});
