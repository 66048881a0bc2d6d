import type { IncomingHttpHeaders } from 'node:http';

/**
 * The secret a request presents: a bearer token, or the password of HTTP Basic credentials
 * (what a browser offers for the Swagger UI). Undefined when it presents none.
 */
export function presentedSecret(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization;
  if (!header) {
    return undefined;
  }
  const [scheme, value] = header.split(' ', 2);
  if (!value) {
    return undefined;
  }
  if (scheme?.toLowerCase() === 'bearer') {
    return value.trim();
  }
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}
