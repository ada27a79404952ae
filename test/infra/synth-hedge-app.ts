/**
 * Builds and synthesises the cloud app for a stage as `cdk synth` does (same builder,
 * same cdk.json context, cdk-nag plugged in), into a temporary directory, once per test
 * file and stage. Two things are left to cdk-synth.test.ts, which runs the real CLI:
 * bundling (~2 s per function) and CDK's built-in CloudFormation schema validation
 * (~12 s); neither changes a resource property asserted here, and skipping them keeps
 * these files at a second or two each.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { stageConfig, type StageConfig } from '../../infra/config/stages.ts';
import { buildHedgeApp, type HedgeApp } from '../../infra/hedge-app.ts';
import { REPO_ROOT } from '../../infra/constructs/repo-root.ts';

export interface SynthesisedHedgeApp extends HedgeApp {
  readonly app: App;
  readonly stage: StageConfig;
  readonly assembly: CloudAssembly;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

export function synthHedgeApp(stageName: StageConfig['name']): SynthesisedHedgeApp {
  const { context } = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({
    context: { ...context, stage: stageName, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
    outdir: mkdtempSync(join(tmpdir(), `hedge-cdk-${stageName}-`)),
  });
  const stage = stageConfig(stageName);
  const stacks = buildHedgeApp(app, stage);
  const assembly = app.synth();
  return { ...stacks, app, stage, assembly, statefulTemplate: Template.fromStack(stacks.stateful), statelessTemplate: Template.fromStack(stacks.stateless) };
}
