import { IsString, Length } from 'class-validator';

export class HaltRequestDto {
  /** Why drills are stopped, or why they may run again; it goes into the audit log. */
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class HaltStateDto {
  /** While true, running drills are aborted and new ones are refused with 423. */
  engaged!: boolean;
  /** The reason given when the switch was last engaged or released. */
  reason?: string;
  /** The token that last engaged or released it. */
  by?: string;
  /** When it was last engaged or released. */
  since?: string;
}

export class HaltEngagedDto extends HaltStateDto {
  /** Drills that were running or queued, each now asked to abort. */
  abortedDrills!: string[];
  /** Drills that could not be asked to abort (the service's log says why); ask again or abort them one by one. */
  notAborted?: string[];
}
