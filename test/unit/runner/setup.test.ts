import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JUPYTER_INSTALL_HINT } from '../../../lib/runner/jupyter.js';

// bin/setup.js (plain Node: it runs before npm ci) installs what the toolkit's messages tell people to install.
const setup = createRequire(__filename)(join(__dirname, '..', '..', '..', 'bin', 'setup.js')) as { JUPYTER_PACKAGES: string[]; BROWSER_PACKAGES: string[] };

describe('npm start / npm test set-up', () => {
  it('installs the same Debian packages as the install hint names', () => {
    expect(JUPYTER_INSTALL_HINT).toBe(`apt-get update && apt-get install -y ${setup.JUPYTER_PACKAGES.join(' ')}`);
    expect(setup.BROWSER_PACKAGES).toEqual(['chromium']);
  });
});
