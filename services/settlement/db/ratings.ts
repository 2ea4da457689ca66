import { DomainError, type ActionParams, type ActionResponse } from '@aptic/contracts';
import type { ServiceContext } from '@aptic/runtime';

export type PlaceRatings = ActionResponse<'qualification.placeRatings'>;

/**
 * A place's ratings as qualification, which owns them, gives them (asked at read time: ratings and
 * comments are never copied here). Its refusals keep their meaning; qualification not answering is
 * a 503 the place may retry, never a 500.
 */
export async function askPlaceRatings(
  ctx: ServiceContext,
  params: ActionParams<'qualification.placeRatings'>,
  role: string,
): Promise<PlaceRatings> {
  try {
    return await ctx.broker.call<PlaceRatings, typeof params>('qualification.placeRatings', params, { meta: { role } });
  } catch (err) {
    // Moleculer's "service not found" and "not available" are 404s too: only qualification's own
    // refusal (a client error) means an unknown place.
    const { code, name } = err as { code?: number; name?: string };
    if (code === 404 && name === 'MoleculerClientError')
      throw new DomainError('unknown_place', 'Lieu inconnu.', { status: 404 });
    throw new DomainError(
      'ratings_unavailable',
      'Les avis des bénéficiaires ne peuvent pas être lus pour le moment : réessayez dans un instant.',
      { status: 503 },
    );
  }
}
