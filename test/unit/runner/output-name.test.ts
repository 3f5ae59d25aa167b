import { describe, expect, it } from 'vitest';
import { outputFileName } from '../../../lib/runner/output-name.js';

describe('outputFileName', () => {
  const at = new Date('2026-11-30T11:05:12.345Z');
  it('names the runbook, the UTC time and the main parameter value', () => {
    expect(outputFileName('/x/notebooks/ops/trainee-timeline.ipynb', at, 'AbC123')).toBe('trainee-timeline-20261130T110512Z-AbC123.ipynb');
  });
  it('makes the value safe for a file name and leaves it out when there is none', () => {
    expect(outputFileName('a.ipynb', at, '../etc/passwd x')).toBe('a-20261130T110512Z-etc_passwd_x.ipynb');
    expect(outputFileName('a.ipynb', at, null)).toBe('a-20261130T110512Z.ipynb');
    expect(outputFileName('a.ipynb', at, '')).toBe('a-20261130T110512Z.ipynb');
  });
  it('keeps personal values out of the name when redacting', () => {
    expect(outputFileName('dedupe.ipynb', at, 'jane@example.org', { redact: true })).toBe('dedupe-20261130T110512Z-redacted.ipynb');
    expect(outputFileName('dedupe.ipynb', at, 'jane@example.org')).toBe('dedupe-20261130T110512Z-jane_example_org.ipynb');
  });
});
