import type { RequestHandler } from 'express';
import serveStatic from 'serve-static';
import { isUnderAny } from './route-prefix.js';

/**
 * The dashboard's files from `directory`, for every path outside `routedPrefixes` (the API's and
 * the metrics'), which no file may answer. A request under them skips the lookup altogether:
 * looking for a file first cost each one a `stat` and a turn of the event loop before its route ran.
 */
export function dashboardAssets(directory: string, routedPrefixes: readonly string[]): RequestHandler {
  const serve = serveStatic(directory, { index: 'index.html' });
  return (request, response, next) => {
    if (isUnderAny(request.path, routedPrefixes)) {
      next();
    } else {
      void serve(request, response, next);
    }
  };
}
