/**
 * The PostgreSQL roles Grafana logs in as (analytics creates them, Grafana's provisioning names
 * them): `<prefix>_funder_<funder id without dashes>` for a funder, `<prefix>_staff` for staff. The
 * deployment's prefix (APTIC_NATS_PREFIX) keeps deployments sharing a PostgreSQL server apart.
 */
export function reportingRoleName(prefix: string, funderId: string | null): string {
  const safe = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return funderId ? `${safe}_funder_${funderId.replaceAll('-', '').toLowerCase()}` : `${safe}_staff`;
}

/** The environment variable Grafana reads a reporting role's password from. */
export function reportingPasswordVariable(funderId: string | null): string {
  return funderId
    ? `APTIC_GRAFANA_PASSWORD_${funderId.replaceAll('-', '').toUpperCase()}`
    : 'APTIC_GRAFANA_STAFF_PASSWORD';
}

/**
 * French statistical secrecy: a figure counting fewer than this many people is not shown (open
 * data's cells; the means of the funders' satisfaction panels).
 */
export const SECRECY_THRESHOLD = 11;
