/**
 * `npm start -- --demo`: seeds, through the services' own admin endpoints as staff would, the
 * whole story in the embedded platform — a funder with a paid, proofed, rendered, printed and delivered
 * order; two qualified places with their kit, an offer and a kiosk — and records it in the data
 * folder (`demo-kiosk.json`, which the demo kiosk `npm run kiosk -- --demo` reads too). Started
 * again on the same data, it finds that story instead of seeding a second one.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { passCode, serviceBarcode } from '@aptic/contracts';
import { passCodeKey, StartRefused, type Progress, type RunningPlatform } from '@aptic/runtime';

// biome-ignore lint/suspicious/noExplicitAny: the admin API's answers, read field by field as staff would
type Json = Record<string, any>;

/** The demo's story, as recorded in the data folder. */
export interface DemoRecord {
  seededAt: string;
  /** Redemption's admin URL, where the demo kiosk sends its scans (refreshed at each start). */
  platformUrl: string;
  /** A support token: the demo kiosk's, and the one the printed links are signed with. */
  token: string;
  funder: { id: string; name: string };
  order: { id: string; number: string; passCount: number; invoices: { id: string; number: string }[] };
  printJobId: string;
  places: { id: string; name: string; kioskId: string; offerId: string }[];
  kioskId: string;
  placeId: string;
  placeName: string;
  serviceName: string;
  serviceBarcode: string;
  passCodes: string[];
}

const FUNDER = {
  name: 'Communauté d’agglomération du Grand Angoulême',
  kind: 'collectivite',
  siret: '73282932000074',
  publicProcurement: true,
  billingAddress: { line1: '25 boulevard Besson Bey', postalCode: '16000', city: 'Angoulême' },
  serviceCode: 'FINANCES',
};
/** The funder's logo, a plain drawing standing in for the file a funder sends: printed on passes and cover, as it bought. */
const FUNDER_LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40" rx="6" fill="#0b6e4f"/><circle cx="20" cy="20" r="12" fill="#f2c14e"/><path d="M40 30 L54 10 L68 30 Z M62 30 L78 6 L94 30 Z" fill="#ffffff"/></svg>';
const SERVICE = 'aide_demarches_administratives.accompagnement_individuel';
const PLACES = [
  {
    name: 'Espace numérique de Basseau',
    siret: '44306184100047',
    communeCode: '16015',
    postalCode: '16000',
    city: 'Angoulême',
    latitude: 45.65,
    longitude: 0.15,
  },
  {
    name: 'Médiathèque de Cognac',
    siret: '35600000049837',
    communeCode: '16102',
    postalCode: '16100',
    city: 'Cognac',
    latitude: 45.695,
    longitude: -0.329,
  },
];

async function until<T>(what: string, probe: () => Promise<T>, accept: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`demo: ${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The demo's story: found again when this data folder already has it (the same record, its URL
 * refreshed), seeded otherwise. `reused` tells which.
 */
export async function demo(
  platform: RunningPlatform,
  progress: Progress,
): Promise<{ record: DemoRecord; reused: boolean }> {
  const file = join(platform.config.dataDir, 'demo-kiosk.json');
  const redemption = platform.services.find((s) => s.name === 'redemption')!.url;
  if (existsSync(file)) {
    const record = JSON.parse(readFileSync(file, 'utf8')) as DemoRecord;
    const principal = await platform.tokens.authenticate(record.token);
    if (!principal)
      throw new StartRefused(
        `the demo's support token in ${file} is no longer valid (revoked?): start the demo on an empty APTIC_DATA_DIR.`,
      );
    record.platformUrl = redemption;
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    return { record, reused: true };
  }
  // Seeding plays every staff role (admin) with a token that lives only as long as the seeding.
  const seeder = await platform.tokens.issue({ name: 'demo seeding', role: 'admin' }, 'npm start -- --demo');
  try {
    const kiosk = await platform.tokens.issue({ name: 'demo kiosk', role: 'support' }, 'npm start -- --demo');
    const record = await seed(platform, seeder.token, kiosk.token, progress);
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    return { record, reused: false };
  } finally {
    await platform.tokens.revoke(seeder.tokenId);
  }
}

async function seed(
  platform: RunningPlatform,
  token: string,
  kioskToken: string,
  progress: Progress,
): Promise<DemoRecord> {
  const base = (service: string) => platform.services.find((s) => s.name === service)!.url;
  const call = async (
    service: string,
    path: string,
    body?: unknown,
    method = body === undefined ? 'GET' : 'POST',
  ): Promise<{ status: number; body: Json }> => {
    const headers = {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const response = await fetch(`${base(service)}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Json };
  };
  const must = async (service: string, path: string, body?: unknown): Promise<Json> => {
    const answer = await call(service, path, body);
    if (answer.status >= 300)
      throw new Error(`demo: ${service} ${path} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  const existing = (await must('ordering', `/funders?siret=${FUNDER.siret}`)) as unknown as Json[];
  if (existing.length > 0) {
    throw new StartRefused(
      `the demo's records are in ${platform.config.dataDir} but its demo-kiosk.json is gone: start the demo on an empty APTIC_DATA_DIR.`,
    );
  }
  // A funder orders the seed's reference quote, pays it; the proof is approved, printed, delivered.
  progress('demo: a funder’s order of 2,000 passes, accepted and paid');
  const funder = await must('ordering', '/funders', FUNDER);
  const quote = await must('ordering', '/quotes', {
    funderId: funder.id,
    offer: 'plus',
    carnetSize: 10,
    carnets: 200,
    options: ['logo_pass', 'logo_cover', 'distribution_network_support', 'journeys_support'],
    rules: { perimeter: { departements: ['16'] } },
  });
  await must('ordering', `/quotes/${quote.id}/acceptance/purchase-order`, {
    reference: 'BC-DEMO-0001',
    engagementNumber: '1300004567',
  });
  await must('ordering', `/orders/${quote.id}/payments`, {
    amountCents: quote.faceValueCents,
    receivedOn: quote.issuedOn,
    reference: 'VIR-DEMO',
  });
  progress('demo: issuing the passes');
  await until(
    'pass issuance',
    () => call('printing', `/orders/${quote.id}`),
    (r) => r.body.passes === quote.passCount,
  );
  // The order bought logos on passes and cover: no proof before they are uploaded.
  for (const slot of ['pass', 'cover']) {
    const response = await fetch(`${base('printing')}/orders/${quote.id}/logos/${slot}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/svg+xml' },
      body: FUNDER_LOGO,
    });
    if (response.status !== 204) throw new Error(`demo: printing logo ${slot} answered ${response.status}`);
  }
  const proof = await must('printing', `/orders/${quote.id}/proofs`, {});
  const job = (await must('printing', `/proofs/${proof.id}/approval`, {})).job;
  // Two places qualified, with their kit, an offer and a kiosk, while Chromium renders the print file.
  const qualifyPlaces = async () => {
    const questionnaire = (await must('qualification', '/questionnaire')) as {
      version: string;
      charterVersion: string;
      themes: { questions: { id: string; options: { code: string; points: number }[] }[] }[];
    };
    const best = Object.fromEntries(
      questionnaire.themes.flatMap((t) =>
        t.questions.map((q) => [q.id, [...q.options].sort((a, b) => b.points - a.points)[0]!.code]),
      ),
    );
    const referentiel = (await must('catalogue', '/referentiel')) as { services: { code: string; label: string }[] };
    const serviceName = referentiel.services.find((s) => s.code === SERVICE)!.label;
    const places: DemoRecord['places'] = [];
    for (const p of PLACES) {
      const place = await must('qualification', '/places', {
        name: p.name,
        siret: p.siret,
        type: 'espace_public_numerique',
        address: { line1: '1 place de la Mairie', postalCode: p.postalCode, city: p.city },
        communeCode: p.communeCode,
        latitude: p.latitude,
        longitude: p.longitude,
        openingHours: 'Mo-Fr 09:00-18:00; Sa 09:00-12:00',
      });
      await must('qualification', `/places/${place.id}/questionnaire`, {
        version: questionnaire.version,
        answers: best,
      });
      await must('qualification', `/places/${place.id}/charter`, {
        version: questionnaire.charterVersion,
        signedOn: quote.issuedOn,
        signerName: 'Camille Martin',
      });
      await must('qualification', `/places/${place.id}/decision`, { decision: 'qualified' });
      await must('qualification', `/places/${place.id}/kit`, { plan: 'monthly' });
      const offer = await until(
        'the place qualified in the catalogue',
        () => call('catalogue', `/places/${place.id}/offers`, { serviceCode: SERVICE }),
        (r) => r.status === 201,
      );
      const kiosk = await must('qualification', `/places/${place.id}/kiosks`, { name: 'Borne d’accueil' });
      places.push({ id: place.id, name: p.name, kioskId: kiosk.id, offerId: offer.body.id });
    }
    return { places, serviceName };
  };
  const printAndDeliver = async () => {
    await until(
      'the print file',
      () => call('printing', `/print-jobs/${job.id}/progress`),
      (r) => r.body.status === 'ready',
      120_000,
    );
    await must('printing', `/print-jobs/${job.id}/printed`, {});
    await must('printing', `/print-jobs/${job.id}/shipped`, {
      carrier: 'La Poste',
      tracking: '6A-DEMO',
      deliveryPoint: 'Hôtel de ville d’Angoulême',
    });
    await must('printing', `/print-jobs/${job.id}/delivered`, {});
  };
  progress(
    'demo: the print-ready PDF of the 200 carnets (Chromium) and, meanwhile, two places qualified with their kit, an offer and a kiosk',
  );
  const [{ places, serviceName }] = await Promise.all([qualifyPlaces(), printAndDeliver()]);

  // Some passes of different carnets (one carnet's second pass too, to see a refusal).
  // No route gives codes: they are made from the key, and printed in the print file only.
  const { firstCarnet } = await must('printing', `/orders/${quote.id}`);
  const code = (carnet: number, position: number) => passCode(passCodeKey(platform.config), carnet, position);
  const order = await must('ordering', `/orders/${quote.id}`);
  const first = places[0]!;
  return {
    seededAt: new Date().toISOString(),
    platformUrl: base('redemption'),
    token: kioskToken,
    funder: { id: funder.id, name: funder.name },
    order: {
      id: quote.id,
      number: quote.number,
      passCount: quote.passCount,
      invoices: (order.invoices as Json[]).map((i) => ({ id: i.id, number: i.number })),
    },
    printJobId: job.id,
    places,
    kioskId: first.kioskId,
    placeId: first.id,
    placeName: first.name,
    serviceName,
    serviceBarcode: serviceBarcode(first.offerId),
    passCodes: [...[0, 1, 2, 3].map((i) => code(firstCarnet + i, 1)), code(firstCarnet, 2)],
  };
}
