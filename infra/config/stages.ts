/**
 * Per-stage deployment settings, typed and read in one place (the CDK context key
 * `stage`, default `dev`). The stacks arrive with the cloud-infrastructure issue; the
 * stage table is here so that every later piece reads configuration the same way.
 */
export interface StageConfig {
  readonly name: 'dev' | 'prod';
  /** Kept on stack deletion: the table, the bus archive, the signing key. */
  readonly retainState: boolean;
  readonly logRetentionDays: number;
}

export const STAGES: Readonly<Record<StageConfig['name'], StageConfig>> = {
  dev: { name: 'dev', retainState: false, logRetentionDays: 14 },
  prod: { name: 'prod', retainState: true, logRetentionDays: 365 },
};

export function stageConfig(name: unknown): StageConfig {
  const key = name ?? 'dev';
  if (key === 'dev' || key === 'prod') return STAGES[key];
  throw new Error(`unknown stage ${JSON.stringify(key)}: expected one of ${Object.keys(STAGES).join(', ')}`);
}
