import { Type, type Static } from '@sinclair/typebox';
import { BusinessDate, Uuid, type Role } from '@aptic/contracts';
import { maskIban } from './domain/bank.ts';
import { KIT_PRICES } from './domain/kit.ts';
import type { Place } from './db/places.ts';
import type { Assessment, CharterSignature } from './db/qualification.ts';
import type { Kit } from './db/kits.ts';
import type { Kiosk } from './db/kiosks.ts';
import type { Invitation } from './db/invitations.ts';
import { KioskAlertKinds, KioskLinkStates } from './domain/fleet.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Str = Type.String();

const AddressView = Type.Object({ line1: Str, line2: Type.Optional(Str), postalCode: Str, city: Str });

export const PlaceView = Type.Object({
  id: Uuid,
  name: Str,
  siret: Nullable(Str),
  rna: Nullable(Str),
  type: Str,
  address: AddressView,
  communeCode: Str,
  epciCode: Nullable(Str),
  departementCode: Str,
  latitude: Type.Number(),
  longitude: Type.Number(),
  openingHours: Str,
  iban: Nullable(Str),
  ibanMasked: Type.Boolean(),
  bic: Nullable(Str),
  status: Str,
  qualifiedAt: Nullable(Str),
  createdAt: Str,
});

/** Only finance (and admin) read the IBAN in full: it is what money is sent to. */
const seesIban = (role: Role | undefined) => role === 'finance' || role === 'admin';

export function placeView(place: Place, role: Role | undefined): Static<typeof PlaceView> {
  const full = seesIban(role);
  return {
    id: place.id,
    name: place.name,
    siret: place.pivotKind === 'siret' ? place.pivot : null,
    rna: place.pivotKind === 'rna' ? place.pivot : null,
    type: place.type,
    address: place.address,
    communeCode: place.communeCode,
    epciCode: place.epciCode,
    departementCode: place.departementCode,
    latitude: place.latitude,
    longitude: place.longitude,
    openingHours: place.openingHours,
    iban: place.iban === null ? null : full ? place.iban : maskIban(place.iban),
    ibanMasked: place.iban !== null && !full,
    bic: place.bic,
    status: place.status,
    qualifiedAt: place.qualifiedAt?.toISOString() ?? null,
    createdAt: place.createdAt.toISOString(),
  };
}

export const AssessmentView = Type.Object({
  id: Uuid,
  placeId: Uuid,
  version: Str,
  themes: Type.Record(Str, Type.Integer()),
  overall: Type.Integer(),
  proposal: Str,
  reasons: Type.Array(Str),
  decision: Nullable(Str),
  decisionReason: Nullable(Str),
  submittedAt: Str,
});

export function assessmentView(a: Assessment): Static<typeof AssessmentView> {
  return {
    id: a.id,
    placeId: a.placeId,
    version: a.questionnaireVersion,
    themes: a.themeScores,
    overall: a.overallScore,
    proposal: a.proposal,
    reasons: a.reasons,
    decision: a.decision,
    decisionReason: a.decisionReason,
    submittedAt: a.submittedAt.toISOString(),
  };
}

export const CharterView = Type.Object({
  id: Uuid,
  placeId: Uuid,
  version: Str,
  signedOn: BusinessDate,
  signerName: Str,
  signerRole: Nullable(Str),
});
export const charterView = ({ id, placeId, version, signedOn, signerName, signerRole }: CharterSignature) => ({
  id,
  placeId,
  version,
  signedOn,
  signerName,
  signerRole,
});

const Cents = Type.Integer();
export const KitView = Type.Object({
  id: Uuid,
  placeId: Uuid,
  plan: Str,
  status: Str,
  price: Type.Object({ exclVatCents: Cents, vatCents: Cents, inclVatCents: Cents }),
  sponsoredBy: Nullable(Uuid),
  sponsoredUntil: Nullable(BusinessDate),
  activatedAt: Nullable(Str),
  cancelledAt: Nullable(Str),
});
export function kitView(k: Kit): Static<typeof KitView> {
  return {
    id: k.id,
    placeId: k.placeId,
    plan: k.plan,
    status: k.status,
    price: KIT_PRICES[k.plan],
    sponsoredBy: k.sponsoredBy,
    sponsoredUntil: k.sponsoredUntil,
    activatedAt: k.activatedAt?.toISOString() ?? null,
    cancelledAt: k.cancelledAt?.toISOString() ?? null,
  };
}

export const KioskView = Type.Object({
  id: Uuid,
  placeId: Uuid,
  name: Str,
  userPublicKey: Str,
  status: Str,
  registeredAt: Str,
  revokedAt: Nullable(Str),
  revokeReason: Nullable(Str),
});
export function kioskView(k: Kiosk): Static<typeof KioskView> {
  return {
    id: k.id,
    placeId: k.placeId,
    name: k.name,
    userPublicKey: k.userPublicKey,
    status: k.status,
    registeredAt: k.registeredAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    revokeReason: k.revokeReason,
  };
}

const Count = Type.Integer({ minimum: 0 });
const AlertView = Type.Object({ kind: Type.Union(KioskAlertKinds.map((k) => Type.Literal(k))), message: Str });
const LinkState = Type.Union(
  KioskLinkStates.map((s) => Type.Literal(s)),
  {
    description: 'online: heartbeat within 2 min; silent: none since; offline: stopped cleanly, or never seen',
  },
);

/** A kiosk with its health, from its last heartbeat (nulls: it never sent one). */
export const FleetKioskView = Type.Composite([
  KioskView,
  Type.Object({
    health: Type.Object({
      state: LinkState,
      lastSeenAt: Nullable(Str),
      version: Nullable(Str),
      layout: Nullable(Str),
      scanner: Nullable(Type.Object({ connected: Type.Boolean(), model: Nullable(Str), mode: Nullable(Str) })),
      journal: Nullable(
        Type.Object({
          pending: Count,
          awaitingVerdict: Count,
          max: Count,
          oldestPendingAgeSeconds: Nullable(Count),
        }),
      ),
      clockOffsetMs: Nullable(Type.Integer()),
      alerts: Type.Array(AlertView),
    }),
  }),
]);

export const KioskAlertView = Type.Composite([
  AlertView,
  Type.Object({ kioskId: Uuid, placeId: Uuid, name: Str, state: LinkState, lastSeenAt: Nullable(Str) }),
]);

/** The registration answer: the only time the `.creds` secret leaves the platform. */
export const RegisteredKioskView = Type.Composite([
  KioskView,
  Type.Object({
    creds: Str,
    inboxPrefix: Str,
    subjects: Type.Object({ scans: Str, verdicts: Str }),
    verdictConsumer: Type.Union([
      Type.Object({ stream: Str, consumer: Str, created: Type.Literal(true) }),
      Type.Object({ created: Type.Literal(false), reason: Str }),
    ]),
  }),
]);

/** The revocation answer: whether the NATS server already refuses the kiosk's credential, or why not. */
export const RevokedKioskView = Type.Composite([
  KioskView,
  Type.Object({
    natsCredential: Type.Union([
      Type.Object({ revoked: Type.Literal(true) }),
      Type.Object({ revoked: Type.Literal(false), reason: Str }),
    ]),
  }),
]);

export const InvitationView = Type.Object({
  id: Uuid,
  placeId: Uuid,
  status: Type.String(),
  prefill: Type.Record(Type.String(), Type.Unknown()),
  invitedBy: Type.String(),
  invitedAt: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
});

export const invitationView = (i: Invitation) => ({
  ...i,
  invitedAt: i.invitedAt.toISOString(),
  updatedAt: i.updatedAt.toISOString(),
});
