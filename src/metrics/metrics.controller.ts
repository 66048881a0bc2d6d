import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { DrillMetrics } from './drill-metrics.js';

@ApiTags('metrics')
@Requires('viewer')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(DrillMetrics) private readonly metrics: DrillMetrics) {}

  /**
   * Prometheus metrics: drills by status, step duration histograms, the latest drill's figures
   * per target, queue depth and the kill switch, all read from the audit log at each scrape.
   */
  @Get()
  @ApiProduces('text/plain')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
