import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../config/problems.js';
import { loadMonitoringConfig, runbookWarning, type Profile } from './config.js';
import { ownedDirectories, renderAll } from './render/index.js';

export interface GenerateOptions {
  /** YAML file with a top-level `_config` mapping that overrides the defaults. */
  readonly configFile?: string;
  readonly outDir: string;
  /** Compare instead of writing: exit 1 and name every file that differs, is missing or is stale. */
  readonly check: boolean;
  /** `test` shortens every `for` to a few seconds (see config.ts); the default profile is what is checked in. */
  readonly profile?: Profile;
  /** Where warnings go (one line each); standard error unless given. */
  readonly warn?: (line: string) => void;
}

/** Exit codes: 0 done or up to date, 1 `--check` found drift, 2 the override file is invalid. */
export async function runGenerate(options: GenerateOptions, out: (line: string) => void): Promise<number> {
  const profile = options.profile ?? 'default';
  let config;
  try {
    config = loadMonitoringConfig(options.configFile, profile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out(error.message);
    return 2;
  }
  const warning = runbookWarning(config);
  if (warning !== undefined) (options.warn ?? ((line) => process.stderr.write(`${line}\n`)))(warning);
  // promtool tests pin the default thresholds; with overrides they would test numbers nobody chose.
  const renderOptions = { tests: options.configFile === undefined && profile === 'default' };
  const files = renderAll(config, renderOptions);
  const stale = await staleFiles(files, options.outDir, ownedDirectories(renderOptions));
  return options.check ? check(files, stale, options.outDir, out) : write(files, stale, options.outDir, out);
}

async function write(files: Map<string, string>, stale: string[], outDir: string, out: (line: string) => void): Promise<number> {
  let changed = 0;
  for (const [path, text] of files) {
    const target = join(outDir, path);
    if ((await readIfExists(target)) === text) continue;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    out(`wrote ${path}`);
    changed++;
  }
  out(`${changed} of ${files.size} files changed in ${outDir}`);
  // Not deleted: the directory may hold a user's own rules. Prometheus would load them next to ours.
  for (const path of stale) out(`stale: ${path} is not generated any more; delete it unless you wrote it`);
  return 0;
}

async function check(files: Map<string, string>, stale: string[], outDir: string, out: (line: string) => void): Promise<number> {
  const problems: string[] = [];
  for (const [path, text] of files) {
    const current = await readIfExists(join(outDir, path));
    if (current === undefined) problems.push(`missing: ${path}`);
    else if (current !== text) problems.push(`differs: ${path}`);
  }
  problems.push(...stale.map((path) => `stale: ${path}`));
  for (const line of problems) out(line);
  if (problems.length > 0) {
    out(`${problems.length} generated files are out of date; run \`ide-monitor generate\` and commit the result`);
    return 1;
  }
  out(`all ${files.size} generated files are up to date`);
  return 0;
}

/** Files in directories the generator owns that it did not produce (a renamed rules file, say). */
async function staleFiles(files: Map<string, string>, outDir: string, owned: readonly string[]): Promise<string[]> {
  const stale: string[] = [];
  for (const dir of owned) {
    for (const name of await listIfExists(join(outDir, dir))) if (!files.has(`${dir}/${name}`)) stale.push(`${dir}/${name}`);
  }
  return stale;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function listIfExists(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
