import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocumentFromSource } from '../test/support/openapi-from-source.js';

describe('the committed OpenAPI document (openapi.json)', () => {
  const document = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')) as Record<string, unknown>;

  it('is what the code generates now, without a build or Docker', { timeout: 300_000 }, async () => {
    expect(
      await openApiDocumentFromSource(),
      'openapi.json differs from the code: run `npm run build && npm run openapi` and commit it',
    ).toEqual(document);
  });

  it('is a valid OpenAPI 3 document', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it('documents every endpoint and every schema property, with descriptions the DTO comments provide', () => {
    const paths = document.paths as Record<string, Record<string, { summary?: string }>>;
    expect(Object.keys(paths).sort()).toEqual([
      '/api/admin/targets',
      '/api/admin/targets/discover',
      '/api/admin/tokens',
      '/api/audit/verify',
      '/api/drills',
      '/api/drills/plan',
      '/api/drills/{id}',
      '/api/drills/{id}/abort',
      '/api/drills/{id}/events',
      '/api/drills/{id}/timeline',
      '/api/health',
      '/api/metrics',
      '/api/safety/halt',
      '/api/schedules',
      '/api/schedules/changes',
      '/api/schedules/{id}',
      '/api/stats/steps',
      '/api/targets/{name}/repair',
      '/metrics',
    ]);
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.summary, `${method.toUpperCase()} ${path}`).toBeTruthy();
      }
    }

    const schemas = (document.components as { schemas: Record<string, { properties?: Record<string, { description?: string }> }> }).schemas;
    const undescribed = Object.entries(schemas).flatMap(([schema, { properties = {} }]) =>
      Object.entries(properties)
        .filter(([, property]) => !property.description?.trim())
        .map(([name]) => `${schema}.${name}`),
    );
    expect(undescribed, `schema properties without a description: ${undescribed.join(', ')}`).toEqual([]);
    expect(schemas.DrillTimingsDto!.properties!.killToServingMs!.description).toMatch(/kill being issued .* all 16384 slots/);
    expect(schemas.ProbeReportDto!.properties!.durationMs!.description).toMatch(/milliseconds/);
  });
});
