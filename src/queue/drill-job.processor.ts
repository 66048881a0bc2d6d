import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DrillRunner } from '../drills/drill-runner.js';
import { DRILL_QUEUE, type DrillJobData } from './drill-queue.js';

/** Runs queued drills in this process, one at a time. */
@Processor(DRILL_QUEUE, { concurrency: 1 })
export class DrillJobProcessor extends WorkerHost {
  constructor(@Inject(DrillRunner) private readonly runner: DrillRunner) {
    super();
  }

  async process(job: Job<DrillJobData>): Promise<{ status: string }> {
    const state = await this.runner.run(job.data.drillId);
    return { status: state.status };
  }
}
