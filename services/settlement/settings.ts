/**
 * Settlement's own settings, read once at start from the environment.
 *   SETTLEMENT_GRACE_DAYS   days after a month's end offline kiosks have to upload (default 5)
 *   SETTLEMENT_CLOSE_CHECK_MS   how often the job looks for months due to close (default one hour)
 *   APTIC_ISSUER_NAME, APTIC_ISSUER_IBAN, APTIC_ISSUER_BIC   the operator's account payouts leave from
 * (the same variables ordering prints on invoices; their defaults are fictitious placeholders).
 */
import { electronicFormatIBAN, isValidBIC, validateIBAN } from 'ibantools';
import type { Debtor } from './domain/sepa.ts';

export interface SettlementSettings {
  graceDays: number;
  closeCheckMs: number;
  debtor: Debtor;
}

type Env = Record<string, string | undefined>;
const PLACEHOLDER: Debtor = {
  name: 'APTIC (coordonnées fictives)',
  iban: 'FR7630006000011234567890189',
  bic: 'AGRIFRPP',
};

export function readSettings(env: Env): SettlementSettings {
  const raw = env.SETTLEMENT_GRACE_DAYS;
  const graceDays = raw === undefined || raw === '' ? 5 : Number(raw);
  if (!Number.isSafeInteger(graceDays) || graceDays < 0 || graceDays > 31)
    throw new Error(`SETTLEMENT_GRACE_DAYS must be an integer from 0 to 31, got "${raw}"`);
  const check = env.SETTLEMENT_CLOSE_CHECK_MS;
  const closeCheckMs = check === undefined || check === '' ? 3_600_000 : Number(check);
  if (!Number.isSafeInteger(closeCheckMs) || closeCheckMs < 10)
    throw new Error(`SETTLEMENT_CLOSE_CHECK_MS must be an integer ≥ 10, got "${check}"`);
  const iban = electronicFormatIBAN(env.APTIC_ISSUER_IBAN || PLACEHOLDER.iban) ?? '';
  if (!validateIBAN(iban).valid) throw new Error(`APTIC_ISSUER_IBAN is not a valid IBAN: "${env.APTIC_ISSUER_IBAN}"`);
  const bic = (env.APTIC_ISSUER_BIC || PLACEHOLDER.bic).replace(/\s+/g, '').toUpperCase();
  if (!isValidBIC(bic)) throw new Error(`APTIC_ISSUER_BIC is not a valid BIC: "${env.APTIC_ISSUER_BIC}"`);
  return { graceDays, closeCheckMs, debtor: { name: env.APTIC_ISSUER_NAME || PLACEHOLDER.name, iban, bic } };
}
