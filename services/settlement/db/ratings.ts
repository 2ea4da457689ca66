import { DomainError, type ActionParams, type ActionResponse } from '@aptic/contracts';
import { ask, type ServiceContext } from '@aptic/runtime';

export type PlaceRatings = ActionResponse<'qualification.placeRatings'>;

/**
 * A place's ratings as qualification, which owns them, gives them (asked at read time: ratings and
 * comments are never copied here). Its refusals keep their meaning (an unknown place: 404);
 * qualification not answering is a 503 the place may retry, never a 500.
 */
export function askPlaceRatings(
  ctx: ServiceContext,
  params: ActionParams<'qualification.placeRatings'>,
  role: string,
): Promise<PlaceRatings> {
  return ask(ctx.broker, 'qualification.placeRatings', params, {
    meta: { role },
    unavailable: () =>
      new DomainError(
        'ratings_unavailable',
        'Les avis des bénéficiaires ne peuvent pas être lus pour le moment : réessayez dans un instant.',
        { status: 503 },
      ),
  });
}
