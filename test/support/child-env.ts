/**
 * What a test's child process takes from the test runner's environment: what Node and the Docker
 * client need, nothing that configures the service or its command-line tools (a DATABASE_URL,
 * REDIS_URL or API token set where the tests run would otherwise reach every child).
 */
const PASSED_ON = ['PATH', 'HOME', 'TMPDIR', 'NODE_OPTIONS', 'DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY'] as const;

/** The environment for a child process: the runner's variables in `PASSED_ON`, then `extra`. */
export function childEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const passedOn = PASSED_ON.flatMap((name) => {
    const value = process.env[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  return { ...Object.fromEntries(passedOn), ...extra };
}
