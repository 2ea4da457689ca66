import { randomUUID } from 'node:crypto';
import type { ConsumerDefinition } from '@aptic/runtime';
import type { EventEnvelope, EventType } from '@aptic/contracts';
import { expect } from 'vitest';
import { call } from '../support/platform.ts';
import { validSiret } from '../support/siret.ts';

export const validPlace = (siret: string, overrides: Record<string, unknown> = {}) => ({
  name: 'Espace numérique de Basseau',
  siret,
  type: 'espace_public_numerique',
  address: { line1: '12 rue de Basseau', postalCode: '16000', city: 'Angoulême' },
  communeCode: '16015',
  latitude: 45.65,
  longitude: 0.15,
  openingHours: 'Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00',
  iban: 'FR76 3000 6000 0112 3456 7890 189',
  bic: 'AGRIFRPP',
  ...overrides,
});

/** A valid SIRET from a counter. */
export const siretFrom = (n: number): string => validSiret(n, '7');

/** The best answer to every question of the current questionnaire, read from the service. */
export async function bestAnswers(url: string): Promise<{ version: string; answers: Record<string, string> }> {
  const q = (await call(`${url}/questionnaire`)).body as {
    version: string;
    themes: { questions: { id: string; options: { code: string; points: number }[] }[] }[];
  };
  const answers = Object.fromEntries(
    q.themes.flatMap((t) =>
      t.questions.map((x) => [x.id, [...x.options].sort((a, b) => b.points - a.points)[0]!.code]),
    ),
  );
  return { version: q.version, answers };
}

/** Applies a place through qualification: application, questionnaire, charter, decision. */
export async function qualifiedPlace(
  url: string,
  siret: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const place = await call(`${url}/places`, { method: 'POST', body: validPlace(siret, overrides) });
  if (place.status !== 201) throw new Error(JSON.stringify(place.body));
  const id = place.body.id as string;
  await call(`${url}/places/${id}/questionnaire`, { method: 'POST', body: await bestAnswers(url) });
  await call(`${url}/places/${id}/charter`, {
    method: 'POST',
    body: { version: '2025-01', signedOn: '2026-01-05', signerName: 'Camille Martin' },
  });
  const decided = await call(`${url}/places/${id}/decision`, { method: 'POST', body: { decision: 'qualified' } });
  if (decided.status !== 200) throw new Error(JSON.stringify(decided.body));
  return id;
}

/** Stands in for redemption: records every event of these types it applies. */
export function probe<T extends EventType>(
  types: T[],
): { consumers: ConsumerDefinition<T>[]; seen: EventEnvelope<T>[] } {
  const seen: EventEnvelope<T>[] = [];
  return {
    seen,
    consumers: [
      {
        name: `probe-${randomUUID().slice(0, 8)}`,
        events: types,
        apply: async (_tx, events) => void seen.push(...events),
      },
    ],
  };
}

/** Registers a kiosk through qualification: the answer carries its `.creds` (shown once). */
export async function registerKiosk(url: string, placeId: string, name: string) {
  const response = await call(`${url}/places/${placeId}/kiosks`, { method: 'POST', body: { name } });
  expect(response.status).toBe(201);
  return response.body as {
    id: string;
    creds: string;
    inboxPrefix: string;
    userPublicKey: string;
    verdictConsumer: { created: boolean; consumer?: string };
  };
}
