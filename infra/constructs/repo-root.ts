/** The repository root: NodejsFunction's project root and where the lock file lives. */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
