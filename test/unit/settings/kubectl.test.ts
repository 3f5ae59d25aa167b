import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { kubectlOnPath, parseKubectlDescribe, runKubectl, verifySettingInDescribe } from '../../../lib/settings/kubectl.js';

const OUTPUT = readFileSync(path.join(__dirname, '../../fixtures/settings/kubectl-describe-deployment.txt'), 'utf8');

describe('parseKubectlDescribe', () => {
  it('reads deployments, containers, init containers and their environment', () => {
    const [web, worker] = parseKubectlDescribe(OUTPUT);
    expect(web!.name).toBe('register-production');
    expect(web!.namespace).toBe('bat-production');
    expect(web!.replicas).toBe('4 desired | 4 updated | 4 total | 4 available | 0 unavailable');
    expect(web!.initContainers.map((c) => [c.name, c.env])).toEqual([['migrate', { SETTINGS__FEATURES__SIGN_IN_METHOD: 'dfe-sign-in' }]]);
    expect(web!.containers.map((c) => c.name)).toEqual(['register-production', 'sidecar']);
    expect(web!.containers[0]!.env).toEqual({
      SETTINGS__FEATURES__SIGN_IN_METHOD: 'otp',
      SETTINGS__FEATURES__GOOGLE__SEND_DATA_TO_BIG_QUERY: 'false',
      SETTINGS__EMPTY: '',
      DATABASE_PASSWORD: "<set to the key 'password' in secret 'register-db'>  Optional: false",
    });
    expect(web!.containers[0]!.envFrom).toEqual(['register-production-app-config-6d7f ConfigMap Optional: false', 'register-production-app-secrets-9a8b Secret Optional: false']);
    expect(web!.containers[1]!.env).toEqual({});
    expect(worker!.containers.map((c) => [c.name, c.env])).toEqual([['register-production-worker', { SETTINGS__FEATURES__SIGN_IN_METHOD: 'dfe-sign-in' }]]);
  });
  it('refuses text that is not describe output', () => {
    expect(() => parseKubectlDescribe('error: You must be logged in to the server (Unauthorized)')).toThrow('This is not the output of `kubectl describe deployment …`');
  });
});

describe('verifySettingInDescribe', () => {
  it('confirms a variable set in every container of one deployment', () => {
    const web = OUTPUT.split('\n\n\n')[0]!;
    const v = verifySettingInDescribe(web, 'SETTINGS__FEATURES__GOOGLE__SEND_DATA_TO_BIG_QUERY', 'false');
    // the sidecar does not have it
    expect(v.ok).toBe(false);
    expect(v.found.map((f) => [f.container, f.value, f.matches])).toEqual([
      ['register-production', 'false', true],
      ['sidecar', null, false],
    ]);
    expect(v.message).toContain('register-production/sidecar: not set');
    expect(v.message).toContain('It may also come from register-production-app-config-6d7f ConfigMap');
  });
  it('names each deployment whose value differs', () => {
    const only = OUTPUT.replace(/   sidecar:[\s\S]*?Mounts:       <none>\n/, '');
    const v = verifySettingInDescribe(only, 'SETTINGS__FEATURES__SIGN_IN_METHOD', 'otp');
    expect(v.ok).toBe(false);
    expect(v.found.map((f) => [f.deployment, f.value, f.matches])).toEqual([
      ['register-production', 'otp', true],
      ['register-production-worker', 'dfe-sign-in', false],
    ]);
    expect(v.found[0]!.parsed).toEqual({ type: 'string', value: 'otp', ruby: '"otp"' });
    const first = only.split('\n\n\n')[0]!;
    expect(verifySettingInDescribe(first, 'SETTINGS__FEATURES__SIGN_IN_METHOD', 'otp')).toMatchObject({ ok: true, message: expect.stringContaining('SETTINGS__FEATURES__SIGN_IN_METHOD=otp is set') });
  });
});

describe('runKubectl', () => {
  it('never runs anything when kubectl is not on PATH, and only runs kubectl', async () => {
    expect(kubectlOnPath({ PATH: '/nonexistent' })).toBeNull();
    if (!kubectlOnPath()) await expect(runKubectl('kubectl get pods')).rejects.toThrow('kubectl is not on PATH');
    else await expect(runKubectl('rm -rf /')).rejects.toThrow('Only kubectl commands are run here');
  });
});
