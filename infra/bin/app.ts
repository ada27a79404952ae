/**
 * The CDK app entry (`npx cdk synth`, `npx cdk deploy -c stage=prod`): resolves the stage
 * (infra/config/stages.ts) and builds its two stacks with cdk-nag plugged in.
 */
import { App } from 'aws-cdk-lib';
import { stageConfig } from '../config/stages.ts';
import { buildHedgeApp } from '../hedge-app.ts';

const app = new App();
buildHedgeApp(app, stageConfig(app.node.tryGetContext('stage')));
app.synth();
