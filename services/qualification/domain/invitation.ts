import { DomainError } from '@aptic/contracts';

/**
 * A directory place staff invite to join the scheme (a prospect), and where it stands:
 *   invited → applied (its application, pre-filled from the directory, is registered) | declined
 *   applied → qualified (staff qualify the place) | declined
 *   qualified, declined: final (a declined place may be invited again, as a new invitation).
 * The allowed transitions live here and nowhere else.
 */
export const InvitationStatuses = ['invited', 'applied', 'qualified', 'declined'] as const;
export type InvitationStatus = (typeof InvitationStatuses)[number];

const allowed: Record<InvitationStatus, readonly InvitationStatus[]> = {
  invited: ['applied', 'declined'],
  applied: ['qualified', 'declined'],
  qualified: [],
  declined: [],
};

const labels: Record<InvitationStatus, string> = {
  invited: 'invité',
  applied: 'candidature déposée',
  qualified: 'qualifié',
  declined: 'décliné',
};

export function assertInvitationMove(from: InvitationStatus, to: InvitationStatus): void {
  if (!allowed[from].includes(to)) {
    throw new DomainError(
      'invalid_transition',
      `L’invitation est « ${labels[from]} » : elle ne peut pas passer à « ${labels[to]} ».`,
      { status: 409 },
    );
  }
}

export interface DirectoryRow {
  placeId: string;
  name: string;
  type: string;
  pivot: string | null;
  communeCode: string | null;
  communeName: string;
  postalCode: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  openingHours: string | null;
}

/** The application as the directory row fills it; what the row lacks is left for the place to give. */
export type Prefill = {
  directoryId: string;
  name: string;
  type: string;
  siret?: string;
  rna?: string;
  address?: { line1: string; postalCode: string; city: string };
  communeCode?: string;
  latitude?: number;
  longitude?: number;
  openingHours?: string;
};

export function prefillFrom(row: DirectoryRow): Prefill {
  const pivot = row.pivot ?? '';
  return {
    directoryId: row.placeId,
    name: row.name,
    type: row.type,
    ...(/^[0-9]{14}$/.test(pivot) ? { siret: pivot } : /^W[0-9A-Z]{9}$/.test(pivot) ? { rna: pivot } : {}),
    ...(row.address && row.postalCode
      ? {
          address: {
            line1: row.address.slice(0, 200),
            postalCode: row.postalCode,
            city: row.communeName.slice(0, 120),
          },
        }
      : {}),
    ...(row.communeCode ? { communeCode: row.communeCode } : {}),
    ...(row.latitude !== null && row.longitude !== null ? { latitude: row.latitude, longitude: row.longitude } : {}),
    ...(row.openingHours ? { openingHours: row.openingHours } : {}),
  };
}
