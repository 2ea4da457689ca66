export { funderDashboard } from './funder.ts';
export { staffDashboard } from './staff.ts';
export { deploymentFromEnv, grafanaFiles, type GrafanaDeployment } from './provisioning.ts';
export { expandQuery, interpolateVariables, type QueryContext, type Variable } from './macros.ts';
export { PostgresQueryBuilder, type PostgresQuery } from './postgres-query.ts';
export type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
