export interface RunningPostgres {
  readonly port: number;
  /** A new, empty database on the cluster; its URL (user postgres, trust auth on loopback). */
  readonly createDatabase: (name: string) => Promise<string>;
  /** Stops the server at once (`pg_ctl stop -m immediate`: a crash, as far as the clients can tell). */
  readonly stop: () => void;
  readonly start: () => void;
  /** Stops the server and removes its directory. */
  readonly destroy: () => void;
}

export function postgresBinDir(): string | undefined;
export function startPostgres(binDir: string): Promise<RunningPostgres>;
