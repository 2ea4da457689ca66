import { Type } from '@sinclair/typebox';
import { DomainError, Refusal } from '@aptic/contracts';
import type { AdminApp, ServiceContext } from '@aptic/runtime';
import { ImportReportView } from '../views.ts';
import { parseCsv } from '@aptic/runtime';
import { importPlaces } from './import.ts';
import { readFile } from './report.ts';

const MAX_FILE = 50 * 1024 * 1024;
const ImportQuery = Type.Object(
  { mode: Type.Optional(Type.Union([Type.Literal('strict'), Type.Literal('partial')])) },
  { additionalProperties: false },
);
const Refused = Type.Object({ code: Type.String(), message: Type.String(), report: ImportReportView });

/** The file's rows, from a JSON array or a CSV text; anything else is refused whole. */
function rowsOf(body: unknown, contentType: string): Record<string, unknown>[] {
  if (contentType.startsWith('text/csv')) {
    const csv = parseCsv(typeof body === 'string' ? body : '');
    if (!csv.ok) throw new DomainError('import_unreadable', csv.message, { status: 400 });
    return csv.rows;
  }
  if (!Array.isArray(body))
    throw new DomainError('import_unreadable', 'Le fichier JSON doit être un tableau de lieux.', { status: 400 });
  if (body.some((r) => typeof r !== 'object' || r === null || Array.isArray(r)))
    throw new DomainError('import_unreadable', 'Chaque élément du tableau doit être un objet (un lieu).', {
      status: 400,
    });
  return body as Record<string, unknown>[];
}

/**
 * POST /imports. Default (strict): a file with any refused row answers 422 with the report and
 * changes nothing. `?mode=partial` imports the good rows and reports the refused ones.
 */
export function importRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_FILE }, (_request, body, done) =>
    done(null, body),
  );
  app.post(
    '/imports',
    {
      bodyLimit: MAX_FILE,
      config: { roles: ['support'] },
      schema: {
        summary: 'Import a "lieux de médiation numérique" file (application/json or text/csv)',
        querystring: ImportQuery,
        response: { 200: ImportReportView, 400: Refusal, 422: Refused },
      },
    },
    async (request, reply) => {
      const rows = rowsOf(request.body, request.headers['content-type'] ?? '');
      const file = readFile(rows);
      if (file.refused.length > 0 && (request.query.mode ?? 'strict') === 'strict') {
        const report = {
          rows: rows.length,
          kept: 0,
          merged: 0,
          changed: 0,
          offersPublished: 0,
          refused: file.refused,
          warnings: file.warnings,
          ignoredColumns: file.ignoredColumns,
        };
        const message = `${file.refused.length} ligne(s) refusée(s) : rien n’a été importé. Corrigez-les ou importez avec mode=partial.`;
        return reply.status(422).send({ code: 'import_refused', message, report });
      }
      return ctx.transaction((tx, emit) => importPlaces(tx, emit, file, rows.length));
    },
  );
}
