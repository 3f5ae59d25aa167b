import { describe, expect, it } from 'vitest';
import { maintenanceMode } from '../../../lib/settings/maintenance.js';

describe('maintenanceMode', () => {
  it('prints the gh command for the workflow and says what it does', () => {
    const on = maintenanceMode({ environment: 'production', mode: 'enable' });
    expect(on.command).toBe('gh workflow run "Set maintenance mode" --repo DFE-Digital/register-trainee-teachers -f environment=production -f mode=enable');
    expect(on.steps.join('\n')).toContain('make production maintenance-fail-over');
    expect(on.notes.join('\n')).toContain('-f environment=production -f mode=disable');
    const off = maintenanceMode({ environment: 'qa', mode: 'disable' });
    expect(off.command).toBe('gh workflow run "Set maintenance mode" --repo DFE-Digital/register-trainee-teachers -f environment=qa -f mode=disable');
    expect(off.steps.join('\n')).toContain('make qa disable-maintenance');
  });
  it('refuses environments and modes the workflow does not have', () => {
    expect(() => maintenanceMode({ environment: 'review', mode: 'enable' })).toThrow('Unknown environment "review": the "Set maintenance mode" workflow runs on production, staging, qa.');
    expect(() => maintenanceMode({ environment: 'staging', mode: 'on' })).toThrow('Unknown mode "on": expected enable or disable.');
  });
});
