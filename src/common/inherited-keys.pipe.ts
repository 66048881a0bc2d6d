import { BadRequestException, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/**
 * Names every object inherits (`toString`, `constructor`, `__proto__`, ...), and `prototype`.
 * The validation's whitelist lets these through as if they were fields of the DTO (seen with
 * class-validator 0.15: `{"scenario": "...", "toString": 1}` passes). Refused here first.
 */
const INHERITED = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export class InheritedKeysPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const path = inheritedKeyIn(value, '');
      if (path) {
        throw new BadRequestException(`property ${path} should not exist`);
      }
    }
    return value;
  }
}

function inheritedKeyIn(value: unknown, at: string): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const path = at ? `${at}.${key}` : key;
    if (INHERITED.has(key)) {
      return path;
    }
    const nested = inheritedKeyIn((value as Record<string, unknown>)[key], path);
    if (nested) {
      return nested;
    }
  }
  return undefined;
}
