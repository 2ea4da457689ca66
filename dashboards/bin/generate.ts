/**
 * `npm run dashboards`: writes the dashboards and Grafana's provisioning into deploy/grafana/.
 * The committed files are those of the default deployment (no funder organisation yet); a
 * deployment runs it with APTIC_GRAFANA_FUNDERS set (see dashboards/provisioning.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deploymentFromEnv, grafanaFiles } from '../provisioning.ts';

const root = fileURLToPath(new URL('../../deploy/grafana/', import.meta.url));
for (const [path, content] of grafanaFiles(deploymentFromEnv(process.env))) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  console.log(`deploy/grafana/${path}`);
}
