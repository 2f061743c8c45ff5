#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=50
// Resident memory: the smaller young generation (default 16 MB per semi-space) and a slower-growing old
// generation (V8 lets it reach several times the live heap before a full collection) keep a scraped
// exporter's RSS after 500 scrapes steady instead of sawing between 100 and 135 MB, at +0.2 ms median scrape
// latency (see bench/README.md).
// Each statfs stuck on a dead network mount holds one libuv threadpool thread until it returns; with the
// default 4 threads, four dead mounts would stall every /proc read. The pool starts on first use, after this.
process.env['UV_THREADPOOL_SIZE'] ??= '16';
import { setFlagsFromString } from 'node:v8';
import { UsageError } from './cli/parse-flags.js';
import { ConfigError } from './config/problems.js';
import { SecretFileError } from './config/secret-file.js';
import { StoreUnavailableError } from './bridge/store/errors.js';
import { readBuildInfo } from './build-info.js';
import { StartupError } from './commands/startup-error.js';

const USAGE = `usage: ide-monitor <command> [flags]

Commands:
  serve          Run the exporter on /metrics, with the ingestion API, the alert bridge, the status
                 page and remote write.
  lsp-proxy      Relay an editor's stdio to a language server and measure every request.
  generate       Write Prometheus rules, Grafana dashboards and Kubernetes manifests.
  check-config   Validate a configuration file.

Run 'ide-monitor <command> --help' for the command's flags.`;

type Command = (argv: readonly string[]) => number | Promise<number>;

// Commands load on demand: `serve` should not carry the generator's Grafana SDK in memory, nor the reverse.
const COMMANDS: Record<string, Command> = {
  serve: async (argv) => {
    // serve spends its life waiting between scrapes and webhooks; TurboFan's optimised code, its compiler
    // memory and the node binary's compiler pages it touches cost 6–9 MB of RSS after 500 scrapes, for
    // scrapes that stay at half node_exporter's CPU without it (bench/README.md).
    // Set here, not in the shebang, because lsp-proxy is in the editor's keystroke path and keeps it.
    setFlagsFromString('--no-opt');
    return (await import('./commands/serve.js')).serve(argv);
  },
  'check-config': async (argv) => (await import('./commands/check-config.js')).checkConfig(argv),
  'lsp-proxy': async (argv) => (await import('./commands/lsp-proxy.js')).lspProxy(argv),
  generate: async (argv) => (await import('./commands/generate.js')).generate(argv),
};

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version') {
    const build = readBuildInfo();
    process.stdout.write(`ide-monitor ${build.version} (revision ${build.revision}, node ${build.nodeVersion})\n`);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return first === undefined ? 2 : 0;
  }
  const command = COMMANDS[first];
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(first)}; commands: ${Object.keys(COMMANDS).join(', ')}`);
  return command(rest);
}

// Exit explicitly: a statfs stuck on a dead network mount would otherwise keep the process alive.
// stdout and stderr are synchronous for files and pipes on Linux, so nothing written is lost.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof SecretFileError || error instanceof StoreUnavailableError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    } else if (error instanceof StartupError) {
      process.stderr.write(`ide-monitor: ${error.message}\n`);
      process.exit(1);
    } else if (error instanceof UsageError) {
      process.stderr.write(`ide-monitor: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`ide-monitor: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
