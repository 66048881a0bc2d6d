import { before as swaggerPlugin } from '@nestjs/swagger/plugin';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { childEnv } from './child-env.js';

const PROJECT = resolve(import.meta.dirname, '../..');

/**
 * The document `npm run openapi` writes after `nest build`, made without touching `dist/`: the
 * sources compiled as nest-cli.json compiles them (tsc with the Swagger plugin, whose comments
 * become the descriptions) into a directory of their own, then that build's `openapi.js` run.
 */
export async function openApiDocumentFromSource(): Promise<unknown> {
  const directory = mkdtempSync(join(tmpdir(), 'redis-drill-openapi-'));
  try {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(PROJECT, 'tsconfig.json'),
      { outDir: join(directory, 'dist'), sourceMap: false },
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    )!;
    const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
    const plugin = swaggerPlugin({ introspectComments: true, classValidatorShim: true }, program);
    program.emit(undefined, undefined, undefined, false, { before: [plugin] });
    // The build resolves its packages and module type from here, as dist/ does from the project.
    symlinkSync(join(PROJECT, 'node_modules'), join(directory, 'node_modules'), 'dir');
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ type: 'module' }));
    const output = join(directory, 'openapi.json');
    // It reads its configuration from the environment: the runner's own (a TARGETS_FILE it cannot read, say) would stop it.
    await promisify(execFile)(process.execPath, [join(directory, 'dist', 'openapi.js'), output], { cwd: directory, env: childEnv() });
    return JSON.parse(readFileSync(output, 'utf8')) as unknown;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
