import { applyDecorators, Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { DrillMetrics } from './drill-metrics.js';

/** Prometheus scrapes `/metrics` by default; `/api/metrics` keeps the text beside the rest of the API. */
export const METRICS_PATHS = ['metrics', 'api/metrics'] as const;

const PrometheusText = (path: string) =>
  applyDecorators(Get(path), ApiProduces('text/plain'), Header('content-type', 'text/plain; version=0.0.4; charset=utf-8'));

@ApiTags('metrics')
@Requires('viewer')
@Controller()
export class MetricsController {
  constructor(@Inject(DrillMetrics) private readonly metrics: DrillMetrics) {}

  /**
   * Prometheus metrics: drills by status, step duration histograms, the latest drill's figures
   * per target, queue depth and the kill switch, all read from the audit log at each scrape.
   */
  @PrometheusText(METRICS_PATHS[0])
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  /** The same text as `/metrics`, under the API's prefix. */
  @PrometheusText(METRICS_PATHS[1])
  scrapeUnderApi(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
