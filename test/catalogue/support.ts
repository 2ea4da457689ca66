import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EventEnvelope } from '@aptic/contracts';
import { fromSchemaLieuDeMediationNumerique } from '@gouvfr-anct/lieux-de-mediation-numerique';
import { ADMIN_TOKEN, call, eventually } from '../support/platform.ts';

const run = promisify(execFile);

/** Publishes a place's offer of individual help with procedures, as soon as catalogue knows the place qualified. */
export const offerOnceQualified = (catalogueUrl: string, placeId: string, timeoutMs?: number) =>
  eventually(
    () =>
      call(`${catalogueUrl}/places/${placeId}/offers`, {
        method: 'POST',
        body: { serviceCode: 'aide_demarches_administratives.accompagnement_individuel' },
      }),
    (r) => r.status === 201,
    timeoutMs,
  );

export function placeQualified(
  data: Partial<EventEnvelope<'place.qualified'>['data']> & { placeId: string },
  occurredAt = new Date(),
): EventEnvelope<'place.qualified'> {
  return {
    id: randomUUID(),
    type: 'place.qualified',
    occurredAt: occurredAt.toISOString(),
    producer: 'test',
    data: {
      name: 'Espace numérique de test',
      type: 'espace_public_numerique',
      communeCode: '16015',
      departementCode: '16',
      ...data,
    },
  };
}

export function placeStatusEvent(
  type: 'place.suspended' | 'place.revoked',
  placeId: string,
  occurredAt = new Date(),
): EventEnvelope<'place.suspended' | 'place.revoked'> {
  return {
    id: randomUUID(),
    type,
    occurredAt: occurredAt.toISOString(),
    producer: 'test',
    data: { placeId, reason: 'test' },
  };
}

/** POSTs a file body as it is (JSON text or CSV) to the import endpoint. */
export async function postFile(url: string, body: string, contentType: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': contentType },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** Every barcode of one symbology (Code 128 by default) zbarimg reads on the PDF's pages, rasterised at 200 dpi by pdftoppm. */
export async function decodeBarcodes(pdf: Buffer, symbology: 'code128' | 'qrcode' = 'code128'): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'aptic-sheet-'));
  try {
    await writeFile(join(dir, 'sheet.pdf'), pdf);
    await run('pdftoppm', ['-r', '200', '-png', join(dir, 'sheet.pdf'), join(dir, 'page')]);
    const pages = (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();
    const codes: string[] = [];
    for (const page of pages) {
      // zbarimg exits 4 when a page holds no barcode: that is an empty answer, not an error.
      const { stdout } = await run('zbarimg', [
        '--raw',
        '-q',
        '-Sdisable',
        `-S${symbology}.enable`,
        join(dir, page),
      ]).catch((err: { code?: number; stdout?: string }) => {
        if (err.code === 4) return { stdout: '' };
        throw err;
      });
      codes.push(...stdout.split('\n').filter(Boolean));
    }
    return codes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The national schema (a frictionless Table Schema, test/catalogue/fixtures) as the JSON Schema of
 * one exported place, for ajv: each field's type, `required`, `pattern`, `maxLength`, `enum`, and
 * dates in ISO form; no other field allowed.
 */
export function lieuJsonSchema(): object {
  const table = JSON.parse(
    readFileSync(new URL('./fixtures/schema-lieux-mediation-numerique.json', import.meta.url), 'utf8'),
  ) as {
    fields: {
      name: string;
      type: string;
      constraints?: { required?: boolean; pattern?: string; maxLength?: number; enum?: string[] };
    }[];
  };
  const properties: Record<string, object> = {};
  for (const field of table.fields) {
    const c = field.constraints ?? {};
    properties[field.name] = {
      type: field.type === 'number' ? 'number' : 'string',
      ...(field.type === 'date' ? { format: 'date' } : {}),
      // A Table Schema pattern must match the whole value; a JSON Schema one anywhere in it.
      ...(c.pattern ? { pattern: `^(?:${c.pattern})$` } : {}),
      ...(c.maxLength ? { maxLength: c.maxLength } : {}),
      ...(c.enum ? { enum: c.enum } : {}),
    };
  }
  const required = table.fields.filter((f) => f.constraints?.required).map((f) => f.name);
  return { type: 'object', properties, required, additionalProperties: false };
}

/**
 * Why the standard's own model refuses an exported place, or undefined: the library of the ANCT's
 * national cartography (`@gouvfr-anct/lieux-de-mediation-numerique`), which reads a row of the
 * schema field by field and checks its vocabularies (services, typologies, fees, access…), SIRET
 * or RNA, postal and INSEE codes, coordinates and URLs. A second check beside ajv, by the
 * standard's maintainers rather than a copy of its constraints.
 */
export function standardModelRefusal(lieu: unknown): string | undefined {
  try {
    fromSchemaLieuDeMediationNumerique(lieu as Parameters<typeof fromSchemaLieuDeMediationNumerique>[0]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}
