import { frenchDate, frenchDateTime, type DenialReason, type PassCodeReading } from '@aptic/contracts';

/**
 * Whether a scanned pass may pay for the chosen service, here and now: every rule of the scheme,
 * in the order a mediator can act on (a wrong kiosk or a misread code before the pass's own
 * story, the pass before the place, the place before the funder's rules).
 *
 * Pure: the service layer gathers the facts (read models built from events) and the clock.
 */
export interface ScanFacts {
  /** The scan's business date (Europe/Paris): offline scans are judged at their scan time. */
  scannedOn: string;
  /** Why the scan's time cannot be believed (domain/clock.ts), if it cannot. */
  clockSkew: string | undefined;
  kiosk: { placeId: string; revoked: boolean } | undefined;
  /** Unknown or misread codes this kiosk sent recently (guessing shows up here). */
  recentUnknownScans: number;
  reading: PassCodeReading;
  pass: PassFacts | undefined;
  order: OrderFacts | undefined;
  place: PlaceFacts | undefined;
  offer: OfferFacts | undefined;
  /** Another pass of the same carnet already pays this service act. */
  carnetAlreadyInAct: boolean;
}

interface PassFacts {
  status: 'issued' | 'released' | 'blocked';
  redeemed: { placeName: string; at: string } | undefined;
}

export interface OrderFacts {
  validFrom: string;
  /** Last day a pass is accepted (validity end, plus January's grace for year-end validity). */
  lastDay: string;
  /** When the order's redemption window closed (its count is final), if it did. */
  windowClosedAt: string | undefined;
  /** Commune codes allowed; null: anywhere. */
  communes: ReadonlySet<string> | null;
  placeTypes: ReadonlySet<string> | null;
  serviceCategories: ReadonlySet<string> | null;
  /** The order's passes are activated when their carnet is handed out, not when it is delivered. */
  activatedAtHandOut: boolean;
}

interface PlaceFacts {
  qualified: boolean;
  kitActive: boolean;
  type: string;
  communeCode: string;
}

interface OfferFacts {
  placeId: string;
  categoryCode: string;
  withdrawn: boolean;
}

export type Decision = { outcome: 'accepted' } | { outcome: 'denied'; reason: DenialReason; message: string };

/** Beyond this many unknown codes in the window, a kiosk is refused until it calms down. */
export const UNKNOWN_SCAN_LIMIT = 10;

const deny = (reason: DenialReason, message: string): Decision => ({ outcome: 'denied', reason, message });

export function decide(f: ScanFacts): Decision {
  if (!f.kiosk || f.kiosk.revoked) return deny('kiosk_revoked', 'Cette borne n’est plus autorisée : contactez #APTIC.');
  if (f.recentUnknownScans >= UNKNOWN_SCAN_LIMIT)
    return deny('too_many_unknown', 'Trop de codes inconnus : la borne est bloquée quelques minutes.');
  if (f.clockSkew) return deny('clock_skew', f.clockSkew);
  if (!f.reading.ok) return deny('misread', 'Code mal lu ou mal saisi : scannez de nouveau ou vérifiez les chiffres.');
  if (!f.pass || !f.order) return deny('unknown_pass', 'Ce pass n’existe pas : il n’a pas été émis par #APTIC.');
  if (f.pass.status === 'blocked') return deny('blocked', 'Ce pass est bloqué (perdu ou volé) : ne l’acceptez pas.');
  if (f.pass.status !== 'released' && f.order.activatedAtHandOut)
    return deny(
      'not_handed_out',
      'Ce pass n’est pas encore activé : son carnet doit d’abord être remis au bénéficiaire par un prescripteur.',
    );
  if (f.pass.status !== 'released')
    return deny('not_released', 'Ce pass n’est pas encore activé : il n’a pas été distribué.');
  // Before the pass's own story: once the order's count is final, nothing of it changes.
  if (f.order.windowClosedAt) {
    return deny(
      'redemption_window_closed',
      `Ce pass ne peut plus être encaissé : la période d’encaissement de sa commande est close depuis le ${frenchDateTime(f.order.windowClosedAt)}.`,
    );
  }
  if (f.pass.redeemed) {
    return deny(
      'already_redeemed',
      `Ce pass a déjà été utilisé le ${frenchDateTime(f.pass.redeemed.at)} (${f.pass.redeemed.placeName}).`,
    );
  }
  if (f.scannedOn < f.order.validFrom)
    return deny('not_yet_valid', `Ce pass n’est valable qu’à partir du ${frenchDate(f.order.validFrom)}.`);
  if (f.scannedOn > f.order.lastDay) return deny('expired', `Ce pass a expiré le ${frenchDate(f.order.lastDay)}.`);
  if (!f.place?.qualified)
    return deny('place_not_qualified', 'Votre structure n’est pas (ou plus) qualifiée pour accepter les pass.');
  if (!f.place.kitActive)
    return deny('kit_inactive', 'Votre abonnement au kit n’est pas actif : les pass ne peuvent pas être encaissés.');
  if (!f.offer || f.offer.withdrawn || f.offer.placeId !== f.kiosk.placeId)
    return deny('service_not_offered', 'Ce service ne figure pas à votre catalogue.');
  if (f.order.communes && !f.order.communes.has(f.place.communeCode))
    return deny('outside_perimeter', 'Ce pass n’est pas valable sur votre territoire.');
  if (f.order.placeTypes && !f.order.placeTypes.has(f.place.type))
    return deny('place_type_not_allowed', 'Ce pass n’est pas valable dans ce type de structure.');
  if (f.order.serviceCategories && !f.order.serviceCategories.has(f.offer.categoryCode))
    return deny('service_category_not_allowed', 'Ce pass ne peut pas payer ce type de service.');
  if (f.carnetAlreadyInAct)
    return deny(
      'same_carnet_same_service',
      'Un seul pass d’un même carnet par service : utilisez un pass d’un autre carnet.',
    );
  return { outcome: 'accepted' };
}
