import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import {
  BusinessDate,
  DomainError,
  PostalAddress,
  Refusal,
  Uuid,
  validate,
  type ActionResponse,
} from '@aptic/contracts';
import { actorOf, actionRoute, ask, listRoute, ownerRoute, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { PlaceStatuses, type PlaceStatus } from './domain/lifecycle.ts';
import { currentQuestionnaire } from './domain/questionnaire.ts';
import { CURRENT_CHARTER } from './domain/charter.ts';
import { KIT_PRICES } from './domain/kit.ts';
import { assertMayChangeBank, assertMayEdit, type PlacePatch } from './domain/place.ts';
import { createPlace, findPlace, listPlaces } from './db/places.ts';
import { editPlace } from './db/edit-place.ts';
import {
  decide,
  latestAssessment,
  reinstate,
  revoke,
  signCharter,
  submitQuestionnaire,
  suspend,
} from './db/qualification.ts';
import { cancelKit, liveKit, subscribeKit } from './db/kits.ts';
import { fleetKiosks } from './db/fleet.ts';
import { fleetAlerts, fleetKioskView } from './kiosk/fleet.ts';
import { placeAudit } from './db/audit.ts';
import { applyFromInvitation, declineInvitation, findInvitation, invite, listInvitations } from './db/invitations.ts';
import { InvitationStatuses, type InvitationStatus } from './domain/invitation.ts';
import { registerKiosk, type KioskDeps } from './kiosk/register.ts';
import { afterRevocation, revokeKioskById } from './kiosk/revoke.ts';
import {
  InvitationView,
  invitationView,
  AssessmentView,
  CharterView,
  FleetKioskView,
  KioskAlertView,
  KitView,
  PlaceView,
  RegisteredKioskView,
  RevokedKioskView,
  assessmentView,
  charterView,
  kioskView,
  kitView,
  placeView,
} from './views.ts';

// Formats (SIRET key, IBAN key, place type, commune) are the domain's refusals, with their French messages.
const NewPlaceBody = Type.Object(
  {
    /** The place's id in catalogue's directory (an imported place): both services then speak of the same place. */
    directoryId: Type.Optional(Uuid),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    siret: Type.Optional(Type.String({ maxLength: 20 })),
    rna: Type.Optional(Type.String({ maxLength: 20 })),
    type: Type.String({ maxLength: 64 }),
    address: PostalAddress,
    communeCode: Type.String({ maxLength: 10 }),
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    openingHours: Type.String({ minLength: 1, maxLength: 500 }),
    iban: Type.Optional(Type.String({ maxLength: 50 })),
    bic: Type.Optional(Type.String({ maxLength: 15 })),
  },
  { additionalProperties: false },
);
// An edit: any field of an application (checked whole, as one), at least one.
const PlacePatchBody = Type.Partial(Type.Omit(NewPlaceBody, ['directoryId']), {
  additionalProperties: false,
  minProperties: 1,
});
const BankBody = Type.Object(
  { iban: Type.String({ maxLength: 50 }), bic: Type.String({ maxLength: 15 }) },
  { additionalProperties: false },
);
const QuestionnaireBody = Type.Object(
  {
    version: Type.String({ maxLength: 20 }),
    answers: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 64 }), { maxProperties: 200 }),
  },
  { additionalProperties: false },
);
const CharterBody = Type.Object(
  {
    version: Type.String({ maxLength: 20 }),
    signedOn: BusinessDate,
    signerName: Type.String({ minLength: 1, maxLength: 200 }),
    signerRole: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('qualified'), Type.Literal('refused')]),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 1000 }) },
  { additionalProperties: false },
);
const KitBody = Type.Object(
  { plan: Type.Union([Type.Literal('monthly'), Type.Literal('yearly')]) },
  { additionalProperties: false },
);
const KioskBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const Id = Type.Object({ id: Uuid });
const PlacesFilters = { status: Type.Optional(Type.Union(PlaceStatuses.map((s) => Type.Literal(s)))) };
const KiosksFilters = {
  placeId: Type.Optional(Uuid),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('revoked')])),
};
const errors = { 400: Refusal, 404: Refusal, 409: Refusal, 422: Refusal };
const staff = ['support'] as const;
const unknownPlace = () => new DomainError('unknown_place', 'Lieu inconnu.', { status: 404, field: 'placeId' });
const money = ['support', 'finance'] as const;

/** Qualification's staff endpoints: places, questionnaire, decision, charter, lifecycle, kit, kiosks. */
export function qualificationRoutes(kiosks: KioskDeps) {
  return (app: AdminApp, ctx: ServiceContext): void => {
    placeRoutes(app, ctx);
    lifecycleRoutes(app, ctx, kiosks);
    kitRoutes(app, ctx);
    kioskRoutes(app, ctx, kiosks);
    invitationRoutes(app, ctx);
  };
}

function placeRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.get(
    '/questionnaire',
    {
      config: { roles: money },
      schema: { summary: 'The current eligibility questionnaire (themes, questions, weights, thresholds)' },
    },
    async () => ({ ...currentQuestionnaire, charterVersion: CURRENT_CHARTER, kitPrices: KIT_PRICES }),
  );
  app.post(
    '/places',
    {
      config: { roles: money },
      schema: {
        summary: 'Register a médiation place’s application (its IBAN/BIC: finance only)',
        body: NewPlaceBody,
        response: { 201: PlaceView, ...errors, 403: Refusal },
      },
    },
    async (request, reply) => {
      assertMayChangeBank(
        request.principal?.role,
        Object.keys(request.body).filter((k) => request.body[k as keyof typeof request.body] !== undefined),
      );
      return reply
        .status(201)
        .send(
          placeView(
            await ctx.transaction((tx) => createPlace(tx, request.body, actorOf(request))),
            request.principal?.role,
          ),
        );
    },
  );
  listRoute(
    app,
    '/places',
    { roles: money, summary: 'Places by status, in name order', filters: PlacesFilters, item: PlaceView },
    async (query, page, caller) =>
      (await listPlaces(ctx.db, query.status as PlaceStatus | undefined, page)).map((p) => placeView(p, caller.role)),
  );
  app.get(
    '/places/:id',
    {
      config: { roles: money },
      schema: {
        summary: 'A place (IBAN masked except for finance)',
        params: Id,
        response: { 200: PlaceView, 404: Refusal },
      },
    },
    async (request) => placeView(await findPlace(ctx.db, request.params.id), request.principal?.role),
  );
  // Support edits the place, finance its IBAN/BIC (assertMayEdit).
  const edit = (request: FastifyRequest, id: string, patch: PlacePatch) => {
    assertMayEdit(request.principal?.role, patch);
    return ctx.transaction((tx, emit) => editPlace(tx, emit, id, patch, actorOf(request)));
  };
  app.patch(
    '/places/:id',
    {
      config: { roles: money },
      schema: {
        summary: 'Edit a place (checked as an application; a qualified place’s new details are announced)',
        params: Id,
        body: PlacePatchBody,
        response: { 200: PlaceView, ...errors, 403: Refusal },
      },
    },
    async (request) => placeView(await edit(request, request.params.id, request.body), request.principal?.role),
  );
  app.put(
    '/places/:id/bank-details',
    {
      config: { roles: money },
      schema: {
        summary: 'Change the payout IBAN/BIC (finance)',
        params: Id,
        body: BankBody,
        response: { 200: PlaceView, ...errors, 403: Refusal },
      },
    },
    async (request) => placeView(await edit(request, request.params.id, request.body), request.principal?.role),
  );
  app.get(
    '/places/:id/audit',
    {
      config: { roles: money },
      schema: { summary: 'Every change of the place, its questionnaires, charter, kit and kiosks', params: Id },
    },
    async (request) => {
      await findPlace(ctx.db, request.params.id);
      return placeAudit(ctx.db, request.params.id);
    },
  );
}

function lifecycleRoutes(app: AdminApp, ctx: ServiceContext, kiosks: KioskDeps): void {
  actionRoute(
    app,
    ctx,
    '/places/:id/questionnaire',
    {
      roles: staff,
      summary: 'Submit the eligibility questionnaire: scores and a proposal',
      body: QuestionnaireBody,
      response: { 201: AssessmentView, ...errors },
    },
    (tx, _emit, id, body, actor) => submitQuestionnaire(tx, id, body, actor),
    assessmentView,
  );
  app.get(
    '/places/:id/assessment',
    {
      config: { roles: staff },
      schema: {
        summary: 'The latest scored questionnaire',
        params: Id,
        response: { 200: AssessmentView, 404: Refusal },
      },
    },
    async (request) => {
      const found = await latestAssessment(ctx.db, (await findPlace(ctx.db, request.params.id)).id);
      if (!found)
        throw new DomainError('no_assessment', 'Ce lieu n’a pas encore répondu au questionnaire.', { status: 404 });
      return assessmentView(found);
    },
  );
  actionRoute(
    app,
    ctx,
    '/places/:id/charter',
    {
      roles: staff,
      summary: 'Record the charter signature',
      body: CharterBody,
      response: { 201: CharterView, ...errors },
    },
    (tx, _emit, id, body, actor) => signCharter(tx, id, body, actor),
    charterView,
  );
  actionRoute(
    app,
    ctx,
    '/places/:id/decision',
    {
      roles: staff,
      summary: 'Confirm or override the proposal (reason required to override)',
      body: DecisionBody,
      response: { 200: PlaceView, ...errors },
    },
    decide,
    placeView,
  );
  actionRoute(
    app,
    ctx,
    '/places/:id/suspension',
    { roles: staff, summary: 'Suspend the qualification', body: ReasonBody, response: { 200: PlaceView, ...errors } },
    (tx, emit, id, body, actor) => suspend(tx, emit, id, body.reason, actor),
    placeView,
  );
  actionRoute(
    app,
    ctx,
    '/places/:id/reinstatement',
    { roles: staff, summary: 'Lift a suspension', body: ReasonBody, response: { 200: PlaceView, ...errors } },
    (tx, emit, id, body, actor) => reinstate(tx, emit, id, body.reason, actor),
    placeView,
  );
  app.post(
    '/places/:id/revocation',
    {
      config: { roles: staff },
      schema: {
        summary: 'Revoke the qualification (final; ends the kit and the kiosks)',
        params: Id,
        body: ReasonBody,
        response: { 200: PlaceView, ...errors },
      },
    },
    async (request) => {
      const { place, revokedKioskIds } = await ctx.transaction((tx, emit) =>
        revoke(tx, emit, request.params.id, request.body.reason, actorOf(request)),
      );
      if (revokedKioskIds.length > 0) await afterRevocation(kiosks, revokedKioskIds);
      return placeView(place, request.principal?.role);
    },
  );
}

function kitRoutes(app: AdminApp, ctx: ServiceContext): void {
  actionRoute(
    app,
    ctx,
    '/places/:id/kit',
    {
      roles: money,
      summary: 'Subscribe the kit (billing starts at the first scan)',
      body: KitBody,
      response: { 201: KitView, ...errors },
    },
    (tx, emit, id, body, actor) => subscribeKit(tx, emit, id, body.plan, actor),
    kitView,
  );
  app.get(
    '/places/:id/kit',
    { config: { roles: money }, schema: { summary: 'The live kit subscription, or null', params: Id } },
    async (request) => {
      const kit = await liveKit(ctx.db, (await findPlace(ctx.db, request.params.id)).id);
      return kit ? kitView(kit) : null;
    },
  );
  actionRoute(
    app,
    ctx,
    '/places/:id/kit/cancellation',
    { roles: money, summary: 'End the kit subscription', body: ReasonBody, response: { 200: KitView, ...errors } },
    (tx, emit, id, body, actor) => cancelKit(tx, emit, id, body.reason, actor),
    kitView,
  );
}

function kioskRoutes(app: AdminApp, ctx: ServiceContext, kiosks: KioskDeps): void {
  app.post(
    '/places/:id/kiosks',
    {
      config: { roles: staff },
      schema: {
        summary: 'Register a kiosk: its NATS credential (.creds, shown once) and its verdict consumer',
        params: Id,
        body: KioskBody,
        response: { 201: RegisteredKioskView, ...errors, 503: Refusal },
      },
    },
    async (request, reply) => {
      const registered = await registerKiosk(kiosks, request.params.id, request.body.name.trim(), actorOf(request));
      return reply.status(201).send({
        ...kioskView(registered.kiosk),
        creds: registered.creds,
        inboxPrefix: registered.inboxPrefix,
        subjects: registered.subjects,
        verdictConsumer: registered.verdictConsumer,
      });
    },
  );
  listRoute(
    app,
    '/kiosks',
    {
      roles: staff,
      summary:
        'The fleet: kiosks of every place, by place and status, each with its health (last seen, link state, journal, scanner, alerts)',
      filters: KiosksFilters,
      item: FleetKioskView,
    },
    async (query, page) => {
      const now = new Date();
      return (await fleetKiosks(ctx.db, query, page)).map((row) => fleetKioskView(row, now, kiosks.alerts));
    },
  );
  app.get(
    '/kiosks/alerts',
    {
      config: { roles: staff },
      schema: {
        summary:
          'Active kiosks that need someone: silent longer than KIOSK_SILENT_ALERT_MINUTES, or journal near its bound',
        response: { 200: Type.Array(KioskAlertView) },
      },
    },
    async () => fleetAlerts(ctx, kiosks.alerts),
  );
  ownerRoute(
    app,
    '/places/:id/kiosks',
    {
      roles: [...staff, 'place'],
      summary: 'The place’s kiosks and their health (a place’s own token sees its own)',
      owner: 'place',
      notFound: unknownPlace,
      response: { 200: Type.Array(FleetKioskView), 404: Refusal },
    },
    async (id) => {
      const place = await findPlace(ctx.db, id);
      const now = new Date();
      return (await fleetKiosks(ctx.db, { placeId: place.id })).map((row) => fleetKioskView(row, now, kiosks.alerts));
    },
  );
  app.post(
    '/kiosks/:id/revocation',
    {
      config: { roles: staff },
      schema: {
        summary: 'Revoke a kiosk: its scans refused, its NATS credential revoked at the server (its connection closed)',
        params: Id,
        body: ReasonBody,
        response: { 200: RevokedKioskView, ...errors },
      },
    },
    async (request) => {
      const { kiosk, natsCredential } = await revokeKioskById(
        kiosks,
        request.params.id,
        request.body.reason,
        actorOf(request),
      );
      return { ...kioskView(kiosk), natsCredential };
    },
  );
}

const Application = Type.Omit(NewPlaceBody, ['directoryId']);
const ApplicationPatch = Type.Partial(Application, { additionalProperties: false });
const InvitationBody = Type.Object({ placeId: Uuid }, { additionalProperties: false });
const InvitationsFilters = { status: Type.Optional(Type.Union(InvitationStatuses.map((s) => Type.Literal(s)))) };

/** The directory row, from catalogue; its refusals keep their meaning here. */
async function directoryPlace(
  ctx: ServiceContext,
  placeId: string,
): Promise<ActionResponse<'catalogue.directoryPlace'>> {
  // Another node's catalogue may not be discovered yet, just after a start: it waits for it a little.
  return ask(
    ctx.broker,
    'catalogue.directoryPlace',
    { placeId },
    {
      discoveryMs: 5_000,
      unavailable: () =>
        new DomainError('directory_unavailable', 'L’annuaire des lieux ne répond pas : réessayez dans un instant.', {
          status: 503,
        }),
    },
  );
}

/**
 * Prospects: staff invite a directory place that is not qualified to apply; the application is
 * pre-filled from its directory row, and the invitation follows it (invited → applied → qualified,
 * or declined).
 */
function invitationRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.post(
    '/invitations',
    {
      config: { roles: staff },
      schema: {
        summary: 'Invite a directory place to apply (application pre-filled from the directory)',
        body: InvitationBody,
        response: { 201: InvitationView, ...errors, 503: Refusal },
      },
    },
    async (request, reply) => {
      const row = await directoryPlace(ctx, request.body.placeId);
      if (row.status !== 'not_qualified')
        throw new DomainError('already_qualified', `Ce lieu est déjà connu du dispositif (statut : ${row.status}).`, {
          status: 409,
          field: 'placeId',
        });
      return reply.status(201).send(invitationView(await ctx.transaction((tx) => invite(tx, row, actorOf(request)))));
    },
  );
  listRoute(
    app,
    '/invitations',
    { roles: staff, summary: 'Invitations, newest first', filters: InvitationsFilters, item: InvitationView },
    async (query, page) =>
      (await listInvitations(ctx.db, query.status ? [query.status as InvitationStatus] : [], page)).map(invitationView),
  );
  app.get(
    '/invitations/:id',
    {
      config: { roles: staff },
      schema: {
        summary: 'An invitation and its pre-filled application',
        params: Id,
        response: { 200: InvitationView, 404: Refusal },
      },
    },
    async (request) => invitationView(await findInvitation(ctx.db, request.params.id)),
  );
  app.post(
    '/invitations/:id/application',
    {
      config: { roles: staff },
      schema: {
        summary: 'The invited place applies: the pre-filled application, completed or corrected by the body',
        params: Id,
        body: ApplicationPatch,
        response: { 201: PlaceView, ...errors },
      },
    },
    async (request, reply) => {
      const invitation = await findInvitation(ctx.db, request.params.id);
      const { address, ...rest } = request.body;
      const merged = {
        ...invitation.prefill,
        ...rest,
        ...(address || invitation.prefill.address ? { address: { ...invitation.prefill.address, ...address } } : {}),
      };
      const { directoryId: _directory, ...application } = merged;
      const checked = validate(Application, application, 'application_incomplete');
      if (!checked.ok) {
        const field = checked.refusal.field ?? 'application';
        throw new DomainError(
          'application_incomplete',
          `Candidature incomplète : « ${field} » manque ou n’est pas valable (l’annuaire ne le donne pas) ; complétez-le.`,
          { status: 422, field },
        );
      }
      const { place } = await ctx.transaction((tx) =>
        applyFromInvitation(tx, invitation.id, checked.value, actorOf(request)),
      );
      return reply.status(201).send(placeView(place, request.principal?.role));
    },
  );
  actionRoute(
    app,
    ctx,
    '/invitations/:id/decline',
    {
      roles: staff,
      summary: 'The place declines (or staff close the invitation), with the reason',
      body: ReasonBody,
      response: { 200: InvitationView, ...errors },
    },
    (tx, _emit, id, body, actor) => declineInvitation(tx, id, body.reason, actor),
    invitationView,
  );
}
