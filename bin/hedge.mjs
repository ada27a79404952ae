#!/usr/bin/env node
// The `hedge` executable: loads the TypeScript sources through tsx's loader (no build
// step), runs the CLI and exits with its status.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const status = await main(process.argv.slice(2));
process.exitCode = status;
