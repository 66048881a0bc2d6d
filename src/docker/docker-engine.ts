import Docker from 'dockerode';

export { Docker };

/** A client for the local Docker engine: `DOCKER_HOST` when set, else the standard socket. */
export function connectDocker(): Docker {
  return new Docker();
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
