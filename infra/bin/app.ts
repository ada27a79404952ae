/**
 * The CDK app entry (`npx cdk synth`). It resolves the stage today; the stateful and
 * stateless stacks (table, bus, key; functions, API, schedule) are added by the cloud
 * infrastructure issue once the functions they deploy exist.
 */
import { App } from 'aws-cdk-lib';
import { stageConfig } from '../config/stages.ts';

const app = new App();
const stage = stageConfig(app.node.tryGetContext('stage'));
app.node.addMetadata('hedge:stage', stage.name);
app.synth();
