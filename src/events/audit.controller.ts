import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Requires } from '../auth/access.decorator.js';
import { AuditReportDto } from './audit.dto.js';
import { verifyAuditChain } from './audit-verifier.js';
import { sqliteHandle } from './sqlite.js';

@ApiTags('audit')
@Requires('viewer')
@Controller('audit')
export class AuditController {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * Walks the whole audit log and recomputes its hash chain. Reports the first event that was
   * edited, removed or reordered since it was written, or the head of an intact log.
   */
  @Get('verify')
  verify(): AuditReportDto {
    return verifyAuditChain(sqliteHandle(this.dataSource));
  }
}
