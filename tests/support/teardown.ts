/**
 * What a test started, stopped in reverse order (last started, first stopped) from `afterAll`, so a test
 * that fails halfway still stops exactly what it had started.
 */
export class Teardown {
  private readonly steps: Array<() => unknown> = [];

  /** Registers steps right after the things they stop have started. */
  add(...steps: Array<() => unknown>): void {
    this.steps.push(...steps);
  }

  /** Runs the registered steps newest first, each once; for `afterAll(() => teardown.run())`. */
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}
