import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { deploymentFromEnv, grafanaFiles } from './provisioning.ts';

test('the committed deploy/grafana files are what the code generates (run `npm run dashboards`)', () => {
  for (const [path, content] of grafanaFiles(deploymentFromEnv({}))) {
    expect(readFileSync(new URL(`../deploy/grafana/${path}`, import.meta.url), 'utf8'), path).toBe(content);
  }
});

test('a funder organisation gets its own datasource, logged in as its role, its password from the environment', () => {
  const files = grafanaFiles(deploymentFromEnv({ APTIC_GRAFANA_FUNDERS: '0b8c6c3e-5d4a-4e59-9a49-6f1b2d3c4e5f:3' }));
  const datasources = files.get('provisioning/datasources/aptic.yaml')!;
  expect(datasources).toContain('user: aptic_funder_0b8c6c3e5d4a4e599a496f1b2d3c4e5f');
  expect(datasources).toContain('orgId: 3');
  expect(datasources).toContain('password: $APTIC_GRAFANA_PASSWORD_0B8C6C3E5D4A4E599A496F1B2D3C4E5F');
  expect(files.get('provisioning/dashboards/aptic.yaml')).toContain('path: /var/lib/grafana/dashboards/funder');
  expect(() => deploymentFromEnv({ APTIC_GRAFANA_FUNDERS: 'nope' })).toThrow('APTIC_GRAFANA_FUNDERS');
});
