/**
 * cdk-nag (AwsSolutions) over both stacks of both stages: zero unacknowledged errors and
 * zero warnings, and every acknowledgement sits on one named resource with a written
 * reason. cdk-nag 3 is a CDK validation plugin (Validations.of(app).addPlugins), so an
 * unacknowledged error already fails synthesis; warnings do not, hence the direct
 * validateScope check, which sees both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../infra/config/stages.ts';
import { synthHedgeApp } from './synth-hedge-app.ts';

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
  );
}

/** The CloudFormation resources an acknowledgement covers: the construct's own and its descendants'. */
function resourcesUnder(construct: IConstruct): { readonly path: string; readonly type: string }[] {
  return construct.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
    .map((r) => ({ path: r.node.path, type: r.cfnResourceType }));
}

/** The resource type each acknowledged rule is about (APIG4 checks the routes of this one API). */
const OWNER_TYPE: Record<string, string> = {
  'AwsSolutions-APIG4': 'AWS::ApiGatewayV2::Api',
  'AwsSolutions-SMG4': 'AWS::SecretsManager::Secret',
  'AwsSolutions-SQS3': 'AWS::SQS::Queue',
  'AwsSolutions-IAM5[Resource::*]': 'AWS::IAM::Policy',
};

describe.each(['dev', 'prod'] as const)('cdk-nag AwsSolutions, stage %s', (stageName) => {
  const synthesised = synthHedgeApp(stageName);

  it('finds no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(synthesised.app);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('writes a synthesis validation report with no AwsSolutions findings', () => {
    const report = JSON.parse(readFileSync(join(synthesised.assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: unknown[] }[] };
    const nag = report.pluginReports.filter((r) => r.pluginName === 'AwsSolutions');
    expect(nag.flatMap((r) => r.violations)).toEqual([]);
  });

  it('acknowledges only these rules, each on one resource (with what it owns) and with a reason', () => {
    const acks = acknowledgementsIn(synthesised.app);
    const stage = stageName;
    expect(acks.map((a) => `${a.id} @ ${a.path}`).sort()).toEqual(
      [
        `AwsSolutions-APIG4 @ Hedge-${stage}-Stateless/Http/Api`,
        // Every role: X-Ray's write actions (active tracing) name no resource. The config API's
        // also: KMS CreateKey (per-account signing keys) names no resource; conditioned on key kind and stage tag.
        ...FUNCTION_NAMES.map((name) => `AwsSolutions-IAM5[Resource::*] @ Hedge-${stage}-Stateless/Functions/${name}/Role/DefaultPolicy`),
        `AwsSolutions-SMG4 @ Hedge-${stage}-Stateful/Secrets/chains`,
        `AwsSolutions-SMG4 @ Hedge-${stage}-Stateful/Secrets/positionChains`,
        `AwsSolutions-SMG4 @ Hedge-${stage}-Stateful/Secrets/webhookSources`,
        `AwsSolutions-SQS3 @ Hedge-${stage}-Stateless/UndeliveredEvents/Queue`,
      ].sort(),
    );
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.id} @ ${ack.path}`).toBeGreaterThan(60);
      const construct = synthesised.app.node.findAll().find((c) => c.node.path === ack.path)!;
      // One resource of the kind the rule checks (with what it owns: a queue's policy, an API's routes).
      const owned = resourcesUnder(construct).filter((r) => r.type === OWNER_TYPE[ack.id]);
      expect(owned.map((r) => r.path)).toEqual([construct.node.defaultChild?.node.path]);
    }
  });
});

describe('the cdk-nag plugin is live in synthesis', () => {
  it('fails synthesis on an unacknowledged error (a queue without a DLQ, TLS or encryption)', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new Queue(new Stack(app, 'Careless'), 'Queue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3[\s\S]*AwsSolutions-SQS4/);
  });
});
