import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';

export const DRILL_QUEUE = 'drills';

export interface DrillJobData {
  readonly drillId: string;
}

/** Puts requested drills on the queue; the job id is the drill id, so a drill is queued once. */
@Injectable()
export class DrillQueue {
  constructor(@InjectQueue(DRILL_QUEUE) private readonly queue: Queue<DrillJobData>) {}

  async enqueue(drillId: string): Promise<void> {
    await this.queue.add('drill', { drillId }, { jobId: drillId, removeOnComplete: 1000, removeOnFail: 1000 });
  }

  /** Answers whether the queue's Redis responds. */
  async ping(): Promise<void> {
    const client = await this.queue.getBackend().client;
    await client.runCommand('ping', []);
  }
}
