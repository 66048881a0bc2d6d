import { CliError } from './cli-error.js';

/** The service's HTTP API as the CLI calls it: base URL and token from the environment. */
export class ApiClient {
  constructor(
    readonly base: string,
    private readonly token: string | undefined,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ApiClient {
    return new ApiClient((env.REDIS_DRILL_URL ?? 'http://127.0.0.1:3000/api').replace(/\/$/, ''), env.REDIS_DRILL_TOKEN || undefined);
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new CliError(`cannot reach the service at ${this.base} (set REDIS_DRILL_URL): ${(error as Error).message}`);
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const message = (parsed as { message?: string } | undefined)?.message ?? text;
      const hint = response.status === 401 ? ' (set REDIS_DRILL_TOKEN to an API token)' : '';
      throw new CliError(`${method} ${path} answered ${response.status}: ${message}${hint}`);
    }
    return parsed as T;
  }
}
