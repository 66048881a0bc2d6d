import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';

export class DrillOptionsDto {
  /** Run the live client probe during the drill (default true). */
  @IsOptional()
  @IsBoolean()
  probe?: boolean;

  /** Probe writes per second across all shards, 10 to 2000 (default 150). */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(2000)
  probeWritesPerSecond?: number;

  /**
   * A planned failover: writes are held on the serving masters and the standbys caught up before
   * the kill, so that no acknowledged write can be lost (default false).
   */
  @IsOptional()
  @IsBoolean()
  planned?: boolean;

  /**
   * A stop condition: the longest the probe's clients may go without a successful write, 1 to
   * 600000 ms. Past it, at the next step boundary, the drill stops as an abort does: untouched
   * before the kill; after it, the failover is finished (and no failback is done).
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600_000)
  maxClientOutageMs?: number;

  /**
   * A stop condition: the error budget, in probe writes that failed or got no answer, 0 to
   * 1000000. Past it, at the next step boundary, the drill stops as for `maxClientOutageMs`.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  maxFailedWrites?: number;
}
