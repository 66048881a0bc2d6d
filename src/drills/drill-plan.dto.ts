import { STEP_NAMES, type ScenarioName, type StepName } from './scenarios.js';
import { ApiProperty } from '@nestjs/swagger';

export class PlannedOperationDto {
  /** The step that carries it out. */
  @ApiProperty({ enum: STEP_NAMES })
  step!: StepName;
  /** What it does, in words. */
  action!: string;
  /** The Redis command, with `<id of x>` where a node id is only known once the drill runs. */
  command?: string;
  /** The nodes a command goes to, by name. */
  nodes?: string[];
  /** The containers an action acts on. */
  containers?: string[];
}

export class DrillPlanDto {
  /** The scenario planned. */
  scenario!: ScenarioName;
  /** The target's name; the default target when the request named none. */
  target!: string;
  /** The group that serves now: the drill kills it. */
  @ApiProperty({ enum: ['A', 'B'] })
  from!: 'A' | 'B';
  /** The group that takes over. */
  @ApiProperty({ enum: ['A', 'B'] })
  to!: 'A' | 'B';
  /** The scenario's steps, in order. */
  @ApiProperty({ enum: STEP_NAMES, isArray: true })
  steps!: StepName[];
  /** Every operation, in the order the drill would carry them out. */
  operations!: PlannedOperationDto[];
}
