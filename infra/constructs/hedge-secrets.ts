/**
 * The secrets the functions need, in Secrets Manager. CDK creates each with a random
 * placeholder; the operator puts the real value with `aws secretsmanager put-secret-value`
 * (infra/README.md). Each secret's value is exactly the JSON of the environment variable
 * it stands for, so a function reads it the way it reads that variable today.
 *
 * - chains: CHAINS of evaluate, dispatch, confirm-hedge — [{ chainId, rpcUrl }]; the RPC
 *   URLs carry provider API keys.
 * - positionChains: CHAINS of confirm-positions — [{ chainId, rpcUrl, optionBook }]
 *   (a different shape: it also names each chain's OptionBook contract).
 * - webhookSources: WEBHOOK_SOURCES of ingest-webhook — the providers' signing secrets.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface HedgeSecretsProps {
  readonly stageName: string;
  readonly removalPolicy: RemovalPolicy;
}

import { SECRET_VARIABLES, type SecretName } from '../../shared/contracts/secret-variables.ts';

export { SECRET_VARIABLES, type SecretName };

const DESCRIPTIONS: Record<SecretName, string> = {
  chains: 'CHAINS for evaluate, dispatch, confirm-hedge: [{"chainId":1,"rpcUrl":"https://..."}]',
  positionChains: 'CHAINS for confirm-positions: [{"chainId":1,"rpcUrl":"https://...","optionBook":"0x..."}]',
  webhookSources: 'WEBHOOK_SOURCES for ingest-webhook: {"alchemy":{"secrets":["..."],"chainId":1,"contracts":["0x..."]}}',
};

const NO_ROTATION =
  'Rotation here would have to call a third party (an RPC provider, a webhook provider) that issues the value; there is no such rotation Lambda. Rotation is manual and documented in infra/README.md: put the new value, and (webhooks) keep old and new secrets both listed until the provider switches.';

export class HedgeSecrets extends Construct {
  readonly secrets: Readonly<Record<SecretName, Secret>>;

  constructor(scope: Construct, id: string, props: HedgeSecretsProps) {
    super(scope, id);
    const make = (name: SecretName): Secret => {
      const secret = new Secret(this, name, {
        secretName: `hedge/${props.stageName}/${name}`,
        description: DESCRIPTIONS[name],
        removalPolicy: props.removalPolicy,
      });
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: NO_ROTATION });
      return secret;
    };
    this.secrets = { chains: make('chains'), positionChains: make('positionChains'), webhookSources: make('webhookSources') };
  }
}
