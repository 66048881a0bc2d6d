import { BadRequestException, type ParseUUIDPipeOptions } from '@nestjs/common';

/** Options for `ParseUUIDPipe` whose error names the offending path parameter. */
export const uuidPipeOptions = (name: string): ParseUUIDPipeOptions => ({
  exceptionFactory: () => new BadRequestException(`${name} must be a UUID`),
});
