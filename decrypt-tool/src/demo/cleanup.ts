/**
 * Undo steps run in reverse order, each at most once, whether the work finished, failed or was
 * interrupted by a signal.
 */
export class CleanupStack {
  private readonly steps: { label: string; undo: () => Promise<void> }[] = [];

  /** Registers `undo`; it runs before every step registered earlier. */
  add(label: string, undo: () => Promise<void>): void {
    this.steps.push({ label, undo });
  }

  /** Removes a step that is no longer needed (e.g. a resource the user asked to keep). */
  forget(label: string): void {
    const index = this.steps.findIndex((step) => step.label === label);
    if (index >= 0) this.steps.splice(index, 1);
  }

  /**
   * Runs every registered step, last first. A failing step does not stop the others.
   * @returns the labels and messages of the steps that failed.
   */
  async run(): Promise<string[]> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.undo();
      } catch (error) {
        failures.push(`${step.label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return failures;
  }
}
