/** Where a target's drill outcomes are posted; `*` stands for every target. */
export interface WebhookEndpoint {
  readonly target: string;
  readonly url: string;
}

/**
 * Parses `WEBHOOKS`: comma-separated `target=url` entries, `*=url` for every target. Only http
 * and https URLs; the message names the entry at fault.
 */
export function parseWebhooks(value: string): WebhookEndpoint[] {
  return value.split(',').map((entry, index) => {
    const where = `entry ${index + 1}`;
    const separator = entry.indexOf('=');
    if (separator <= 0) {
      throw new Error(`${where} must look like target=url (or *=url for every target)`);
    }
    const target = entry.slice(0, separator).trim();
    const url = entry.slice(separator + 1).trim();
    if (target !== '*' && !/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(target)) {
      throw new Error(`${where} names the target ${JSON.stringify(target)}, which is no target name`);
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${where} (${target}) has a URL that does not parse`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`${where} (${target}) must use http or https, not ${parsed.protocol}`);
    }
    return { target, url };
  });
}
