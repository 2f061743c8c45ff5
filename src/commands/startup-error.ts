/**
 * `serve` could not start for a reason the user fixes (the port is taken, a file is unreadable): printed
 * as one line naming the setting, without a stack trace, exit code 1.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** A listen failure as the setting that caused it and what to do. */
export function listenError(error: NodeJS.ErrnoException, address: string): StartupError | undefined {
  const fix = 'stop the other program or choose another address with --web.listen-address (env IDE_MONITOR_WEB_LISTEN_ADDRESS)';
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(`web.listen_address: cannot listen on ${address}: the address is already in use (EADDRINUSE); ${fix}`);
    case 'EACCES':
      return new StartupError(
        `web.listen_address: cannot listen on ${address}: permission denied (EACCES; ports below 1024 need privileges); choose a port above 1024 with --web.listen-address`,
      );
    case 'EADDRNOTAVAIL':
      return new StartupError(
        `web.listen_address: cannot listen on ${address}: no network interface has that address (EADDRNOTAVAIL); use an address of this machine, or ":port" for all`,
      );
    default:
      return undefined;
  }
}
