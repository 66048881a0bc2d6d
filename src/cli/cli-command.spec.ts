import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseCommand } from './cli-command.js';
import { CliError } from './cli-error.js';

/** Parses as the CLI does, keeping what Commander would print. */
function parse(...argv: string[]) {
  const printed = { out: '', err: '' };
  const output = { writeOut: (text: string) => (printed.out += text), writeErr: (text: string) => (printed.err += text) };
  try {
    return { command: parseCommand(argv, output), printed };
  } catch (error) {
    return { error, printed };
  }
}

describe('the command line', () => {
  it('turns run and its options into the drill request the service takes', () => {
    expect(
      parse(
        'run',
        'group-failover',
        '--target',
        'prod',
        '--planned',
        '--wait-for-target',
        '--no-probe',
        '--max-outage-ms',
        '1500',
        '--max-failed-writes',
        '3',
        '--timeout-s',
        '90',
      ).command,
    ).toEqual({
      name: 'run',
      request: {
        scenario: 'group-failover',
        target: 'prod',
        waitForTarget: true,
        options: { planned: true, probe: false, maxClientOutageMs: 1500, maxFailedWrites: 3 },
      },
      dryRun: false,
      timeoutMs: 90_000,
    });
    expect(parse('run', 'group-failover', '--dry-run').command).toEqual({
      name: 'run',
      request: { scenario: 'group-failover', options: {} },
      dryRun: true,
      timeoutMs: 3_600_000,
    });
  });

  it('reads the other commands', () => {
    const history = parse('history', '--status', 'failed', '--limit', '5').command;
    expect(history?.name === 'history' && Object.fromEntries(history.query)).toEqual({ status: 'failed', limit: '5' });
    expect(parse('show', 'abc').command).toEqual({ name: 'show', id: 'abc' });
    expect(parse('repair', 'lab', '--dry-run').command).toEqual({ name: 'repair', target: 'lab', dryRun: true, timeoutMs: 3_600_000 });
    expect(parse('repair', 'lab').command).toMatchObject({ name: 'repair', target: 'lab', dryRun: false });
    expect(parse('schedules').command).toEqual({ name: 'schedules' });
    expect(parse('audit', 'verify').command).toEqual({ name: 'audit-verify' });
    expect(parse('targets', 'discover', '--project', 'seed', '--node', '172.18.0.2:6379').command).toEqual({
      name: 'targets-discover',
      request: { name: 'discovered', node: '172.18.0.2:6379', project: 'seed' },
    });
    expect(parse('lab', '--layout', 'prewired', 'up').command).toEqual({ name: 'lab', args: ['--layout', 'prewired', 'up'] });
  });

  it.each([
    [['run', 'group-failover', '--timeout-s', 'abc'], '--timeout-s takes a number above 0, not "abc"'],
    [['run', 'group-failover', '--timeout-s', '0'], '--timeout-s takes a number above 0, not "0"'],
    [['run', 'group-failover', '--max-outage-ms', '1.5'], '--max-outage-ms takes a whole number, not "1.5"'],
    [['run', 'group-failover', '--max-failed-writes', 'some'], '--max-failed-writes takes a whole number, not "some"'],
    [['history', '--limit', 'ten'], '--limit takes a whole number, not "ten"'],
    [['targets', 'discover', '--node', '127.0.0.1:7001'], 'targets discover takes either --project or --label'],
  ])('refuses %j, naming the option and the value', (argv, message) => {
    const { error } = parse(...argv);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toBe(message);
  });

  it('lists the commands in its help, and the options of each in the help of the command', () => {
    const help = parse('--help');
    expect(help.error).toMatchObject({ code: 'commander.helpDisplayed', exitCode: 0 });
    for (const command of ['run', 'history', 'show', 'repair', 'schedules', 'audit', 'targets', 'lab']) {
      expect(help.printed.out).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(help.printed.out).toContain('REDIS_DRILL_TOKEN');
    const runHelp = parse('run', '--help').printed.out;
    for (const option of [
      '--target',
      '--planned',
      '--wait-for-target',
      '--no-probe',
      '--timeout-s',
      '--max-outage-ms',
      '--max-failed-writes',
      '--dry-run',
    ]) {
      expect(runHelp).toContain(option);
    }
  });

  it('refuses an unknown command or option, and a missing argument, in its own words', () => {
    for (const [argv, message] of [
      [['bogus'], "redis-drill: unknown command 'bogus'"],
      [['history', '--planned'], "redis-drill: unknown option '--planned'"],
      [['run'], "redis-drill: missing required argument 'scenario'"],
    ] as const) {
      const { error, printed } = parse(...argv);
      expect(error).toBeInstanceOf(CommanderError);
      expect(printed.err).toContain(message);
    }
    expect(parse().error).toMatchObject({ code: 'commander.help', exitCode: 1 });
  });

  it('exits 2 on a bad number without sending anything to the service', { timeout: 30_000 }, async () => {
    const requests: string[] = [];
    const service = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = service.address() as AddressInfo;
      const failed = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/cli/redis-drill.cli.ts', 'run', 'group-failover', '--timeout-s', 'abc'],
        { env: { ...process.env, REDIS_DRILL_URL: `http://127.0.0.1:${port}/api` } },
      ).catch((error: unknown) => error as { code: number; stderr: string });
      expect(failed).toMatchObject({ code: 2, stderr: 'redis-drill: --timeout-s takes a number above 0, not "abc"\n' });
      expect(requests).toEqual([]);
    } finally {
      await new Promise((resolve) => service.close(resolve));
    }
  });
});
