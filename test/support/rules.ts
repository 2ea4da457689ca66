import type { UsageRules } from '@aptic/contracts';

/** Usage rules of a pass valid all this year, anywhere, for any place, service and public; `over` narrows them. */
export function openRules(over: Partial<UsageRules> = {}): UsageRules {
  const year = new Date().getFullYear();
  return {
    validFrom: `${year}-01-01`,
    validUntil: `${year}-12-31`,
    perimeter: { communes: [], epcis: [], departements: [] },
    resolvedCommunes: [],
    placeTypes: [],
    serviceCategories: [],
    publics: [],
    ...over,
  };
}
