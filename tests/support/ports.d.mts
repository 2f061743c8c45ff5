/** An ephemeral port on 127.0.0.1 that was free a moment ago (for programs that need one on the command line). */
export function freePort(): Promise<number>;

/** Thrown by a probe when waiting longer cannot help (the process it waits for has exited). */
export class StopWaiting extends Error {}

/** Polls `probe` until it resolves true, at most `timeoutMs`; bounded, so a broken start fails instead of hanging. */
export function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs?: number, everyMs?: number): Promise<void>;
