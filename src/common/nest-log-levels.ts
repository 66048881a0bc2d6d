import type { LogLevel as NestLogLevel } from '@nestjs/common';
import type { LogLevel } from '../config/app-config.js';

/** Nest's levels, least severe first, beside the pino level each is written at. */
const NEST_LEVELS: readonly (readonly [NestLogLevel, LogLevel])[] = [
  ['verbose', 'trace'],
  ['debug', 'debug'],
  ['log', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['fatal', 'fatal'],
];
const SEVERITY: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The Nest levels a `LOG_LEVEL` lets through: `info` lets through log, warn, error and fatal. */
export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  const least = SEVERITY.indexOf(level);
  return NEST_LEVELS.filter(([, pino]) => SEVERITY.indexOf(pino) >= least).map(([nest]) => nest);
}
