// Lint: typescript-eslint's recommended type-aware rules, plus the layer boundary
// the architecture promises: the pure core (shared/domain) imports no AWS SDK, no viem,
// no Node I/O, and reads no clock or environment.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'test/output/**', 'test/reference/**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Published coefficients and constants keep all the digits of their source (more
    // than a double holds): that is how they are cited and checked, not a bug.
    files: ['shared/domain/math/**/*.ts', 'shared/domain/pricing/**/*.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*', 'viem', 'viem/*', '@middy/*'], message: 'shared/domain is the pure core: no AWS, chain or Lambda code.' },
            { group: ['node:*', 'fs', 'path', 'child_process', 'http', 'https', 'net'], message: 'shared/domain does no I/O.' },
            { group: ['**/adapters/**', '**/runtime/**', '**/functions/**'], message: 'the core depends on nothing outside itself.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'the core reads no environment: pass values in.' },
        { name: 'Date', message: 'the core reads no clock: pass the time in.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'the core is deterministic: pass a seeded generator in.' },
        { object: 'performance', property: 'now', message: 'the core reads no clock.' },
      ],
    },
  },
  {
    // Contracts (schemas) and use cases (over ports) stay free of SDKs: those live in shared/adapters.
    files: ['shared/contracts/**/*.ts', 'shared/app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@aws-sdk/*', 'viem', 'viem/*', '@middy/*'], message: 'only shared/adapters imports SDKs (contracts are schemas, use cases work over ports).' }] },
      ],
    },
  },
);
