import type { LoggerService } from '@nestjs/common';
import { logContext } from './log-context.js';

type Level = 'info' | 'warn' | 'error' | 'fatal';

/**
 * One JSON object per line: time, level, context, message, and the correlation id and drill id
 * of the request or drill being handled. A message given as an object is merged in as fields.
 * Debug and verbose messages are left out.
 */
export class JsonLogger implements LoggerService {
  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  debug(): void {}

  verbose(): void {}

  private write(level: Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context last, and an error's stack before it.
    const context = rest.length > 0 && typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const stack = level === 'error' && rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields =
      message instanceof Error
        ? { message: message.message, stack: message.stack }
        : typeof message === 'object' && message !== null
          ? (message as Record<string, unknown>)
          : { message: String(message) };
    const line = {
      time: new Date().toISOString(),
      level,
      ...(context ? { context } : {}),
      ...logContext.getStore(),
      ...fields,
      ...(stack ? { stack } : {}),
    };
    (level === 'info' ? process.stdout : process.stderr).write(`${JSON.stringify(line)}\n`);
  }
}
