/**
 * `npx cdk synth` as an operator runs it, offline: no AWS credentials, no profile, a dummy
 * region. It bundles every function with the local esbuild (no Docker) and runs cdk-nag
 * and CDK's CloudFormation validation. The time is printed, not asserted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/repo-root.ts';

function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_') || name.startsWith('CDK_')) delete env[name];
  return { ...env, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', CI: 'true' };
}

describe('npx cdk synth, offline', () => {
  it('synthesises both stacks with no AWS credentials', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'hedge-cdk-cli-'));
    const started = performance.now();
    const run = spawnSync('npx', ['cdk', 'synth', '-q', '--no-notices', '--no-version-reporting', '-o', outdir], { cwd: REPO_ROOT, env: offlineEnv(), encoding: 'utf8', timeout: 180_000 });
    const seconds = (performance.now() - started) / 1000;
    console.log(`npx cdk synth (offline, bundling 8 functions, cdk-nag, CloudFormation validation): ${seconds.toFixed(1)} s`);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(existsSync(join(outdir, 'Hedge-dev-Stateful.template.json'))).toBe(true);
    expect(existsSync(join(outdir, 'Hedge-dev-Stateless.template.json'))).toBe(true);
  }, 200_000);
});
