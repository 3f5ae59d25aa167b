import { describe, expect, it } from 'vitest';
import { listScenarios, scenario } from '../../../lib/sandbox/seed/index.js';
import { assertBuilt, cleanEnv, support } from '../runner/cli.js';

// `support sandbox scenarios`: every scenario with its whole description, its runbook, and exactly what to run it with.
describe('support sandbox scenarios', () => {
  it('--json gives each scenario its runbook, parameters and the command, descriptions uncut', async () => {
    assertBuilt();
    const r = await support(['sandbox', 'scenarios', '--json'], cleanEnv({}));
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; description: string; runbook: string; notebook: string; slug: string | null; parameters: Record<string, string>; command: string }[];
    expect(list.map((s) => s.name)).toEqual(listScenarios().map((s) => s.name));
    for (const s of list) expect(s.description).toBe(scenario(s.name).description);
    expect(list.find((s) => s.name === 'route-change')).toEqual({
      name: 'route-change',
      description: scenario('route-change').description,
      runbook: 'data-fixes/change-training-route',
      notebook: 'notebooks/data-fixes/change-training-route.ipynb',
      slug: scenario('route-change').slug,
      parameters: { slug: scenario('route-change').slug, route: 'school_direct_salaried' },
      command: `support run data-fixes/change-training-route -p slug=${scenario('route-change').slug} -p route=school_direct_salaried`,
    });
    // lists are joined as support run takes them; no slug when the scenario has no trainee
    expect(list.find((s) => s.name === 'provider-losing-accreditation')).toMatchObject({ slug: null, parameters: { providerIds: '4', recordType: 'scitt' }, command: 'support run data-fixes/convert-provider-to-lead-partner -p providerIds=4 -p recordType=scitt' });
  });

  it('as text: one block per scenario with the whole description and the command', async () => {
    const r = await support(['sandbox', 'scenarios'], cleanEnv({}));
    expect(r.code).toBe(0);
    const s = scenario('dqt-retrieve-trn-timeout');
    expect(r.stdout).toContain(`dqt-retrieve-trn-timeout\n  ${s.description}\n  runbook:    notebooks/dqt-errors/retrieve-trn-timeout.ipynb\n  parameters: slug = "${s.slug}"\n  run:        support run dqt-errors/retrieve-trn-timeout -p slug=${s.slug}\n`);
    expect(r.stdout).toContain('former-provider-trainee\n');
    expect(r.stdout).toContain('-p firstNames=Robin -p lastName=Ashby -p dateOfBirth=1994-05-17');
  });
});
