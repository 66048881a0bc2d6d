import type { RequestHandler } from 'express';
import serveStatic from 'serve-static';
import { METRICS_PATHS } from '../metrics/metrics.controller.js';
import { isUnderAny } from './route-prefix.js';

/** Where the API and the metrics live: never a file of the dashboard. */
const SERVICE_PREFIXES = ['/api', ...METRICS_PATHS.map((path) => `/${path}`)];

/** Whether `path` is the API's or the metrics', which no dashboard file may answer or delay. */
export function isServicePath(path: string): boolean {
  return isUnderAny(path, SERVICE_PREFIXES);
}

/**
 * The dashboard's files from `directory`, for every path outside the API. An API request skips
 * the lookup altogether: looking for a file first cost each one a `stat` and a turn of the event
 * loop before its route ran.
 */
export function dashboardAssets(directory: string): RequestHandler {
  const serve = serveStatic(directory, { index: 'index.html' });
  return (request, response, next) => {
    if (isServicePath(request.path)) {
      next();
    } else {
      void serve(request, response, next);
    }
  };
}
