import { DomainError, PUBLICS, frenchDateTime } from '@aptic/contracts';

/**
 * Whether a prescripteur may hand this carnet out now (remise), for the order it distributes.
 * Pure: db/distribution.ts gathers the facts. Every refusal is typed, in French, and changes nothing.
 */
export interface CarnetFacts {
  number: number;
  orderId: string;
  funderId: string;
  carnetSize: number;
  /** The prescripteur whose stock holds it, if allocated. */
  prescriberId: string | null;
  blockedPasses: number;
  /** Its hand-out, if it was handed out; and whether that hand-out was itself a renewal. */
  handedOut: { at: Date; renewal: boolean } | undefined;
  /** The carnet that renewed it, if one did. */
  renewedBy: number | undefined;
}

export interface HandOutRequest {
  prescriberId: string;
  /** The order whose carnets the prescripteur is handing out (the scanning session's). */
  orderId: string;
  /** The order's target publics (its usage rules); empty: any public of the référentiel. */
  targetPublics: readonly string[];
  publicCode: string | undefined;
}

const refuse = (code: string, message: string, status = 409, field = 'carnet') =>
  new DomainError(code, message, { status, field });

/** Refuses a hand-out of `carnet` by this prescripteur: another order's, not in its stock, handed out, blocked. */
export function checkHandOut(carnet: CarnetFacts, request: HandOutRequest): void {
  const n = carnet.number;
  if (carnet.orderId !== request.orderId)
    throw refuse(
      'carnet_of_another_order',
      `Le carnet ${n} appartient à une autre commande que celle que vous distribuez : ne le remettez pas dans cette distribution.`,
    );
  if (carnet.prescriberId !== request.prescriberId)
    throw refuse(
      'carnet_not_allocated',
      `Le carnet ${n} n’est pas dans votre stock : il n’a pas été attribué à votre structure.`,
    );
  if (carnet.handedOut)
    throw refuse('already_handed_out', `Le carnet ${n} a déjà été remis le ${frenchDateTime(carnet.handedOut.at)}.`);
  if (carnet.blockedPasses > 0)
    throw refuse('carnet_blocked', `Le carnet ${n} est bloqué (déclaré perdu ou volé) : ne le remettez pas.`);
  checkPublic(request);
}

function checkPublic({ publicCode, targetPublics }: HandOutRequest): void {
  if (publicCode === undefined) return;
  const allowed = targetPublics.length > 0 ? targetPublics : PUBLICS.map((p) => p.code);
  if (allowed.includes(publicCode)) return;
  const labels = PUBLICS.filter((p) => allowed.includes(p.code)).map((p) => `${p.code} (${p.label})`);
  throw refuse(
    'public_not_targeted',
    `Le public « ${publicCode} » n’est pas un public de cette commande. Publics possibles : ${labels.join(', ')}.`,
    422,
    'publicCode',
  );
}

/**
 * The renewal of a 5-pass carnet (a beneficiary gets 5 passes, renewable once): the new carnet and
 * the renewed one both of 5, the same funder, the renewed one handed out, not itself a renewal,
 * never renewed before, and at least one of its passes used (`redeemed`, asked of redemption).
 */
export function checkRenewal(carnet: CarnetFacts, renewed: CarnetFacts, redeemed: number): void {
  const field = 'renewsCarnet';
  const r = renewed.number;
  if (carnet.carnetSize !== 5 || renewed.carnetSize !== 5)
    throw refuse(
      'renewal_requires_five_pass_carnets',
      'Seuls les carnets de 5 pass se renouvellent, par un autre carnet de 5.',
      422,
      field,
    );
  if (renewed.funderId !== carnet.funderId)
    throw refuse('renewal_other_funder', `Le carnet ${r} a été financé par un autre commanditaire.`, 409, field);
  if (!renewed.handedOut)
    throw refuse('renewed_carnet_not_handed_out', `Le carnet ${r} n’a jamais été remis à un bénéficiaire.`, 409, field);
  if (renewed.handedOut.renewal)
    throw refuse(
      'renewal_of_renewal',
      `Le carnet ${r} est déjà un renouvellement : un carnet de 5 pass ne se renouvelle qu’une fois.`,
      409,
      field,
    );
  if (renewed.renewedBy !== undefined)
    throw refuse(
      'already_renewed',
      `Le carnet ${r} a déjà été renouvelé (par le carnet ${renewed.renewedBy}) : un seul renouvellement.`,
      409,
      field,
    );
  if (redeemed < 1)
    throw refuse(
      'renewed_carnet_unused',
      `Aucun pass du carnet ${r} n’a encore été utilisé : il se renouvelle une fois au moins un pass utilisé.`,
      409,
      field,
    );
}
