/** The diagnosis as a French document for the funder's kick-off meeting (HTML; PdfRenderer prints it). */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { businessDate } from '@aptic/runtime';
import { frenchDate } from '@aptic/contracts';
import type { Diagnosis } from '../domain/diagnosis.ts';

const template = Handlebars.compile(readFileSync(new URL('./templates/diagnosis.hbs', import.meta.url), 'utf8'), {
  strict: true,
});
const integer = new Intl.NumberFormat('fr-FR');
const km = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
/** Communes listed per radius in the document; the CSV has them all. */
const SHOWN = 40;

export function diagnosisHtml(d: Diagnosis, territory: string): string {
  const total = (key: 'qualifiedPlaces' | 'directoryPlaces') => d.communes.reduce((sum, c) => sum + c[key], 0);
  return template({
    territory,
    generatedOn: frenchDate(businessDate(new Date(d.generatedAt))),
    communeCount: integer.format(d.communeCount),
    population: integer.format(d.population),
    qualifiedPlaces: integer.format(total('qualifiedPlaces')),
    directoryPlaces: integer.format(total('directoryPlaces')),
    redemptions: integer.format(d.redemptions),
    services: d.services.map((s) => ({ ...s, missing: s.qualifiedPlaces === 0 })),
    uncovered: d.uncovered.map((u) => ({
      radiusKm: u.radiusKm,
      count: u.communes.length,
      population: integer.format(u.population),
      shown: u.communes.slice(0, SHOWN).map((c) => ({
        ...c,
        population: integer.format(c.population),
        distance: c.nearestQualifiedKm === null ? 'aucun' : `${km.format(c.nearestQualifiedKm)} km`,
      })),
      hidden: Math.max(0, u.communes.length - SHOWN),
    })),
    unlocated: { count: d.unlocated.communes.length, population: integer.format(d.unlocated.population) },
  });
}
