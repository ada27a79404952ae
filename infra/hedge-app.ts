/**
 * The cloud app for one stage: the stateful and the stateless stack, with cdk-nag's
 * AwsSolutions checks plugged into synthesis (an unacknowledged error fails `cdk synth`;
 * the test in test/infra fails on warnings too). bin/app.ts and the tests build the app
 * through this one function, so what is tested is what deploys.
 */
import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StageConfig } from './config/stages.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';

export interface HedgeApp {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

export function stackNamesOf(stage: StageConfig): { readonly stateful: string; readonly stateless: string } {
  return { stateful: `Hedge-${stage.name}-Stateful`, stateless: `Hedge-${stage.name}-Stateless` };
}

export function buildHedgeApp(app: App, stage: StageConfig): HedgeApp {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const names = stackNamesOf(stage);
  const stateful = new StatefulStack(app, names.stateful, {
    stage,
    description: `hedge ${stage.name}: table, event bus and archive, signing key, secrets (kept on delete: ${stage.retainState})`,
    terminationProtection: stage.retainState,
  });
  const stateless = new StatelessStack(app, names.stateless, {
    stage,
    state: stateful,
    description: `hedge ${stage.name}: functions, HTTP API, schedule, routing rules, queues, alarms`,
  });
  Tags.of(app).add('project', 'hedge');
  Tags.of(app).add('stage', stage.name);
  return { stateful, stateless };
}
