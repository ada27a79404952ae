/**
 * The HTTP API: every route of shared/contracts/api/config-api-routes.ts → config-api
 * (generated from that table: method + path), and POST /webhooks/{provider} →
 * ingest-webhook. One `$default` stage with access logs and throttling.
 *
 * Authentication happens in the functions, not in API Gateway: API keys are looked up by
 * their SHA-256 in DynamoDB and compared in constant time (config-api), webhooks by the
 * provider's signature over the raw body (ingest-webhook). An API Gateway authorizer
 * would only repeat the key lookup at the price of a second function per request.
 */
import { CfnOutput, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { CfnStage} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONFIG_API_ROUTES } from '../../shared/contracts/api/config-api-routes.ts';
import type { LogRetentionDays } from '../config/stages.ts';

/** The webhook route (ingest-webhook's README). */
export const WEBHOOK_ROUTE = { method: 'POST', path: '/webhooks/{provider}' } as const;

export interface HedgeHttpApiProps {
  readonly stageName: string;
  readonly configApi: IFunction;
  readonly ingestWebhook: IFunction;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** The webhook route's own limits (a route setting overrides the stage's default). */
  readonly webhookThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetentionDays: LogRetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** What each access log line records: who, what, the answer and the latency; never headers or bodies. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
};

export class HedgeHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: HedgeHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', { apiName: `hedge-${props.stageName}`, description: 'hedge configuration API and webhooks', createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetentionDays, removalPolicy: props.logRemovalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)) },
    });

    // One invoke permission per function for the whole API rather than one per route.
    const configApi = new HttpLambdaIntegration('ConfigApi', props.configApi, { scopePermissionToRoute: false });
    for (const route of Object.values(CONFIG_API_ROUTES)) this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration: configApi });
    const webhooks = new HttpLambdaIntegration('IngestWebhook', props.ingestWebhook, { scopePermissionToRoute: false });
    this.api.addRoutes({ path: WEBHOOK_ROUTE.path, methods: [HttpMethod[WEBHOOK_ROUTE.method]], integration: webhooks });

    // The webhooks keep their own throttle: a flood of configuration requests cannot spend it.
    // (routeSettings is raw CloudFormation JSON: its keys are written as CloudFormation spells them.)
    (this.stage.node.defaultChild as CfnStage).routeSettings = {
      [`${WEBHOOK_ROUTE.method} ${WEBHOOK_ROUTE.path}`]: { ThrottlingRateLimit: props.webhookThrottle.rateLimit, ThrottlingBurstLimit: props.webhookThrottle.burstLimit },
    };
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Every route authenticates inside its function: config-api checks a bearer API key by its SHA-256 in DynamoDB, compared in constant time (admin routes: the admin key hash), and answers 401/403 before any read; webhooks are verified by the provider signature over the raw body. GET /openapi.json is public by design.',
    });
    new CfnOutput(this, 'Url', { value: this.stage.url, description: 'base URL of the HTTP API' });
  }
}
