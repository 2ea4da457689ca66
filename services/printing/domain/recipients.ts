import { territory } from '@aptic/contracts';

/**
 * Beneficiaries' postal addresses for a mailing (Plus and Premium offers): one line per
 * beneficiary, checked line by line. Personal data: kept only until the mailing is sent.
 * Columns (French, as staff receive them): nom, adresse, complement (optional), code_postal,
 * ville, code_insee (the commune, for the places listed in the cover letter).
 */
export interface Recipient {
  line: number;
  name: string;
  line1: string;
  line2: string | null;
  postalCode: string;
  city: string;
  communeCode: string;
}

export interface LineError {
  line: number;
  field: string;
  message: string;
}

const MAX_RECIPIENTS = 100_000;

function text(row: Record<string, string>, key: string, max: number): string | undefined {
  const value = (row[key] ?? '').trim();
  return value && value.length <= max ? value : undefined;
}

/** Every line checked; line numbers count the header as line 1, as a spreadsheet shows them. */
export function readRecipients(rows: Record<string, string>[]): { recipients: Recipient[]; errors: LineError[] } {
  const recipients: Recipient[] = [];
  const errors: LineError[] = [];
  if (rows.length > MAX_RECIPIENTS)
    return {
      recipients,
      errors: [{ line: 1, field: 'fichier', message: `Plus de ${MAX_RECIPIENTS} lignes : découper le fichier.` }],
    };
  rows.forEach((row, i) => {
    const line = i + 2;
    const fail = (field: string, message: string) => void errors.push({ line, field, message });
    if (row.__malformed) return fail('ligne', `ligne mal formée (${row.__malformed})`);
    const name = text(row, 'nom', 200);
    const line1 = text(row, 'adresse', 200);
    const postalCode = (row.code_postal ?? '').trim();
    const city = text(row, 'ville', 120);
    const communeCode = (row.code_insee ?? '').trim().toUpperCase();
    if (!name) return fail('nom', 'nom manquant (ou plus de 200 caractères)');
    if (!line1) return fail('adresse', 'adresse manquante (ou plus de 200 caractères)');
    if (!/^[0-9]{5}$/.test(postalCode)) return fail('code_postal', `code postal invalide : « ${postalCode} »`);
    if (!city) return fail('ville', 'ville manquante');
    if (!territory().commune(communeCode))
      return fail('code_insee', `code INSEE de commune inconnu : « ${communeCode} »`);
    recipients.push({ line, name, line1, line2: text(row, 'complement', 200) ?? null, postalCode, city, communeCode });
  });
  return { recipients, errors };
}
