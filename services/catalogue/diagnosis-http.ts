/**
 * Territorial diagnosis routes. Staff ask for any perimeter (communes, EPCI, départements — the
 * usage rules' vocabulary); a funder's token asks for one of its own paid orders, whose perimeter
 * it covers (another funder's order answers 404). Each as JSON, CSV (services, communes) or PDF.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { eq } from 'drizzle-orm';
import { DomainError, Refusal, territory, Uuid } from '@aptic/contracts';
import { assertScope, sendDocument, toCsv, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { locateCode } from './domain/communes.ts';
import { diagnosisTables, type Diagnosis } from './domain/diagnosis.ts';
import { diagnosis } from './db/diagnosis.ts';
import { orderPerimeters } from './db/schema.ts';
import { diagnosisHtml } from './documents/diagnosis.ts';
import type { RenderPdf } from './documents/print.ts';

type Perimeter = Diagnosis['perimeter'];
const Codes = Type.Optional(Type.String({ maxLength: 40000, description: 'codes separated by commas' }));
const PerimeterQuery = Type.Object(
  { communes: Codes, epcis: Codes, departements: Codes },
  { additionalProperties: false },
);
const OrderId = Type.Object({ id: Uuid });
const FORMATS = ['', '/services.csv', '/communes.csv', '.pdf'] as const;
type Format = (typeof FORMATS)[number];

const list = (value: string | undefined) =>
  [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    ),
  ].sort();
const refuse = (code: string, message: string, field: string) => new DomainError(code, message, { status: 422, field });

/** The perimeter asked, checked: every code known (an arrondissement's is its commune's), and not empty. */
function readPerimeter(query: {
  communes?: string | undefined;
  epcis?: string | undefined;
  departements?: string | undefined;
}): Perimeter {
  const lookup = territory();
  const communes = list(query.communes).map((code) => locateCode(code)?.commune.code ?? code);
  const unknown = (codes: string[], known: (c: string) => unknown) => codes.filter((c) => !known(c));
  const perimeter = {
    communes: [...new Set(communes)].sort(),
    epcis: list(query.epcis),
    departements: list(query.departements),
  };
  const badCommunes = unknown(perimeter.communes, (c) => lookup.commune(c));
  if (badCommunes.length)
    throw refuse('unknown_commune', `Code(s) commune inconnu(s) : ${badCommunes.slice(0, 5).join(', ')}.`, 'communes');
  const badEpcis = unknown(perimeter.epcis, (c) => lookup.epci(c));
  if (badEpcis.length)
    throw refuse('unknown_epci', `EPCI inconnu(s) (SIREN) : ${badEpcis.slice(0, 5).join(', ')}.`, 'epcis');
  const badDepartements = unknown(perimeter.departements, (c) => lookup.departement(c));
  if (badDepartements.length)
    throw refuse(
      'unknown_departement',
      `Département(s) inconnu(s) : ${badDepartements.slice(0, 5).join(', ')}.`,
      'departements',
    );
  if (perimeter.communes.length + perimeter.epcis.length + perimeter.departements.length === 0) {
    throw refuse('empty_perimeter', 'Indiquez un territoire : des communes, des EPCI ou des départements.', 'communes');
  }
  return perimeter;
}

/** "Charente (16), CA du Grand Angoulême, Cognac…": the perimeter named for the document. */
function territoryName(p: Perimeter): string {
  const lookup = territory();
  const names = [
    ...p.departements.map((c) => `${lookup.departementNom(c) ?? c} (${c})`),
    ...p.epcis.map((c) => lookup.epciNom(c) ?? c),
    ...p.communes.map((c) => lookup.commune(c)?.nom ?? c),
  ];
  return names.length > 6 ? `${names.slice(0, 6).join(', ')} et ${names.length - 6} autres` : names.join(', ');
}

async function send(reply: FastifyReply, d: Diagnosis, format: Format, render: RenderPdf) {
  if (format === '') return d;
  if (format === '.pdf') {
    const pdf = await render(diagnosisHtml(d, territoryName(d.perimeter)));
    return sendDocument(reply, 'pdf', 'inline', 'diagnostic-territorial.pdf', pdf);
  }
  const table = diagnosisTables(d)[format === '/services.csv' ? 'services' : 'communes'];
  return sendDocument(reply, 'csv', 'attachment', `diagnostic${format.replace('/', '-')}`, toCsv(table));
}

export function diagnosisRoutes(app: AdminApp, ctx: ServiceContext, render: RenderPdf): void {
  const notFound = () => new DomainError('unknown_order', 'Commande inconnue.', { status: 404, field: 'orderId' });
  const orderPerimeter = async (request: FastifyRequest, orderId: string) => {
    const [order] = await ctx.db.select().from(orderPerimeters).where(eq(orderPerimeters.orderId, orderId));
    if (!order) throw notFound();
    assertScope(request, { funder: order.funderId }, notFound);
    const { communes, epcis, departements } = order.perimeter;
    if (communes.length + epcis.length + departements.length === 0) {
      throw new DomainError(
        'national_perimeter',
        'Cette commande vaut sur tout le territoire : demandez le diagnostic d’un territoire précis.',
        { status: 422 },
      );
    }
    return order;
  };
  for (const format of FORMATS) {
    const produces = format === '.pdf' ? { produces: ['application/pdf'] } : {};
    app.get(
      `/diagnosis${format}`,
      {
        config: { roles: ['support'] },
        schema: {
          summary: `Territorial diagnosis of a perimeter${format ? ` (${format})` : ''}`,
          querystring: PerimeterQuery,
          response: format ? {} : { 422: Refusal },
          ...produces,
        },
      },
      async (request, reply) => send(reply, await diagnosis(ctx.db, readPerimeter(request.query)), format, render),
    );
    app.get(
      `/orders/:id/diagnosis${format}`,
      {
        config: { roles: ['support', 'funder'] },
        schema: {
          summary: `Territorial diagnosis of a paid order's perimeter (a funder: its own orders)${format ? ` (${format})` : ''}`,
          params: OrderId,
          ...produces,
        },
      },
      async (request, reply) => {
        const order = await orderPerimeter(request, request.params.id);
        return send(reply, await diagnosis(ctx.db, order.perimeter, order.funderId), format, render);
      },
    );
  }
}
