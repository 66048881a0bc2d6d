import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { AppError, errorMessage } from '../common/app-error.js';
import { engineLocation, type DockerEngineSpec } from '../targets/drill-target.js';

export { Docker };

/** A client for the local Docker engine: `DOCKER_HOST` when set, else the standard socket. */
export function connectDocker(): Docker {
  return new Docker();
}

/**
 * A client for an engine a target names: its socket, or its TCP address with the TLS client
 * certificate read from the files given. A file that cannot be read is named, its content never.
 */
export function openDockerEngine(spec: DockerEngineSpec): Docker {
  if ('socketPath' in spec) {
    return new Docker({ socketPath: spec.socketPath });
  }
  const read = (role: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new DockerEngineError(
        new Error(`cannot read the ${role} file ${path} of the engine at ${engineLocation(spec)}: ${errorMessage(error)}`),
      );
    }
  };
  return new Docker({
    host: spec.host,
    port: spec.port,
    protocol: 'https',
    ca: read('CA certificate', spec.ca),
    cert: read('client certificate', spec.cert),
    key: read('client key', spec.key),
  });
}

const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * A call the Docker engine did not carry out. The message is the engine's own; transient when
 * the engine could not be reached or answered 5xx, as a busy or restarting engine does.
 */
export class DockerEngineError extends AppError {
  readonly code = 'DOCKER_ENGINE_FAILED';
  override readonly transient: boolean;
  /** The engine's HTTP answer, when it gave one. */
  readonly statusCode?: number;

  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
    const { code, statusCode } = (cause ?? {}) as { code?: unknown; statusCode?: unknown };
    if (typeof statusCode === 'number') {
      this.statusCode = statusCode;
    }
    this.transient = (typeof code === 'string' && SOCKET_CODES.has(code)) || (this.statusCode !== undefined && this.statusCode >= 500);
  }
}

/** The typed form of what a call to the engine threw; an error already typed passes as it is. */
export function engineFailure(error: unknown): AppError {
  return error instanceof AppError ? error : new DockerEngineError(error);
}

/** True for the Docker API's "no such container/image" answer. */
export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number } | null)?.statusCode === 404;
}

/** Reads a Docker progress stream (pull, build) to its end and fails on the first error it reports. */
export function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (event: { error?: string; errorDetail?: { message?: string } }) => {
        if (event.error) {
          reject(new Error(event.errorDetail?.message ?? event.error));
        }
      },
    );
  });
}
