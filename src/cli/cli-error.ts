/** A failure to tell the user in one line, without a stack; the CLI exits 2 on it. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
