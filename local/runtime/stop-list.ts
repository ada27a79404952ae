/** Things to stop, in reverse order of start; a failure to stop one never keeps the others running. */
import { safeErrorText } from '../../shared/runtime/safe-error-text.ts';

export interface StopList {
  add(name: string, run: () => Promise<void> | void): void;
  runAll(): Promise<void>;
}

export function createStopList(log: (line: string) => void): StopList {
  const steps: { name: string; run: () => Promise<void> | void }[] = [];
  return {
    add(name, run) {
      steps.push({ name, run });
    },
    async runAll() {
      for (const step of steps.splice(0).reverse()) {
        try {
          await step.run();
        } catch (error) {
          log(`stopping ${step.name} failed: ${safeErrorText(error)}`);
        }
      }
    },
  };
}
