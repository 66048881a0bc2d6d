import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { isUnderAny } from './route-prefix.js';

type Directives = NonNullable<Exclude<HelmetOptions['contentSecurityPolicy'], boolean | undefined>['directives']>;

/** Pages built by others that style themselves inline (style attributes and `<style>` blocks): Swagger UI and Bull Board. */
const INLINE_STYLED = ['/api/docs', '/api/queues'];

/**
 * The dashboard and the API load nothing from elsewhere and nothing inline: scripts, styles and
 * charts come from this origin, and `fetch` goes to this origin's API. Nothing may frame a page.
 */
const OWN_ORIGIN_ONLY: Directives = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
};

/** Whether the page at `path` is one that needs inline styles. */
export function allowsInlineStyles(path: string): boolean {
  return isUnderAny(path, INLINE_STYLED);
}

/** The Content-Security-Policy directives: inline styles only where a vendored page needs them, inline scripts nowhere. */
export function contentSecurityPolicy(inlineStyles: boolean): Directives {
  return inlineStyles ? { ...OWN_ORIGIN_ONLY, styleSrc: ["'self'", "'unsafe-inline'"] } : OWN_ORIGIN_ONLY;
}

function helmetFor(directives: Directives): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    frameguard: { action: 'deny' },
    // The service speaks plain HTTP; HSTS is for whoever terminates TLS in front of it to decide.
    strictTransportSecurity: false,
  });
}

/** helmet's headers on every answer (pages, API, errors): the policy above, `X-Frame-Options: DENY`, `nosniff` and the rest of its defaults. */
export function securityHeaders(): RequestHandler {
  const strict = helmetFor(contentSecurityPolicy(false));
  const inlineStyled = helmetFor(contentSecurityPolicy(true));
  return (request, response, next) => (allowsInlineStyles(request.path) ? inlineStyled : strict)(request, response, next);
}
