import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

import type { ProcessEntry } from '@kubesim/nats';

/**
 * The entry point of `kubesim-component`. Run from source (tests, `pnpm kubesim`) the children run
 * from source too, through tsx; run built, they run the built JavaScript.
 */
export const componentEntry = (): ProcessEntry => {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return { script: join(dirname(here), 'main.ts'), execArgv: ['--conditions=source', '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] };
  }
  return { script: join(dirname(here), 'main.js'), execArgv: [] };
};
