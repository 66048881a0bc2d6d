import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { AuditReportDto } from './audit.dto.js';
import { verifyAuditChain } from './audit-verifier.js';
import { DrillEventReader } from './drill-event.reader.js';

@ApiTags('audit')
@Requires('viewer')
@Controller('audit')
export class AuditController {
  constructor(@Inject(DrillEventReader) private readonly events: DrillEventReader) {}

  /**
   * Walks the whole audit log and recomputes its hash chain. Reports the first event that was
   * edited, removed or reordered since it was written, or the head of an intact log.
   */
  @Get('verify')
  async verify(): Promise<AuditReportDto> {
    return verifyAuditChain(this.events);
  }
}
