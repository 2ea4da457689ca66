import { type ErrorFunctionParameter, ValueErrorType } from '@sinclair/typebox/errors';

/** What a format means for the person who typed the value. */
const FORMATS: Record<string, string> = {
  uuid: 'identifiant UUID attendu (36 caractères, par exemple 3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c)',
  date: 'date réelle attendue, au format AAAA-MM-JJ',
  'date-time': 'date et heure attendues, au format ISO 8601 (AAAA-MM-JJTHH:MM:SSZ)',
  email: 'adresse électronique attendue',
};

const quoted = (value: unknown) => (typeof value === 'string' ? `« ${value} »` : String(value));

/** The allowed values of an enumeration (a union of literals), or undefined for another union. */
function allowedValues(schema: ErrorFunctionParameter['schema']): string | undefined {
  const options = (schema.anyOf ?? []) as { const?: unknown }[];
  if (options.length === 0 || options.some((o) => o.const === undefined)) return undefined;
  return options.map((o) => quoted(o.const)).join(', ');
}

/** A pattern a person can read: "14 chiffres attendus" for ^[0-9]{14}$, otherwise none. */
function readablePattern(pattern: string): string | undefined {
  const digits = /^\^(?:\[0-9\]|\\d)(?:\{(\d+)\}|\+)\$$/.exec(pattern);
  if (!digits) return undefined;
  return digits[1] ? `${digits[1]} chiffres attendus` : 'des chiffres seulement';
}

const plural = (n: number, word: string) => `${n} ${word}${n > 1 ? 's' : ''}`;

/**
 * The French text of a validation error, for the HTTP routes and the messages between services
 * alike (TypeBox's own messages are English). The kinds JSON cannot carry (functions, dates,
 * bigints…) share one wording.
 */
export function frenchValidationMessage(error: ErrorFunctionParameter): string {
  const s = error.schema as Record<string, unknown> & ErrorFunctionParameter['schema'];
  switch (error.errorType) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'champ obligatoire absent';
    case ValueErrorType.ObjectAdditionalProperties:
    case ValueErrorType.IntersectUnevaluatedProperties:
      return 'champ inconnu : retirez-le';
    case ValueErrorType.Object:
      return 'objet JSON attendu';
    case ValueErrorType.ObjectMinProperties:
      return `au moins ${plural(s.minProperties as number, 'champ')}`;
    case ValueErrorType.ObjectMaxProperties:
      return `au plus ${plural(s.maxProperties as number, 'champ')}`;
    case ValueErrorType.String:
      return 'texte attendu';
    case ValueErrorType.StringMinLength:
      return s.minLength === 1 ? 'ne doit pas être vide' : `au moins ${plural(s.minLength as number, 'caractère')}`;
    case ValueErrorType.StringMaxLength:
      return `au plus ${plural(s.maxLength as number, 'caractère')}`;
    case ValueErrorType.StringPattern:
    case ValueErrorType.RegExp: {
      return readablePattern(String(s.pattern ?? '')) ?? 'format non reconnu';
    }
    case ValueErrorType.StringFormat:
      return FORMATS[s.format as string] ?? `format ${s.format} attendu`;
    case ValueErrorType.Number:
      return 'nombre attendu';
    case ValueErrorType.Integer:
      return 'nombre entier attendu (sans décimales ; les montants sont en centimes)';
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `au moins ${s.minimum}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `au plus ${s.maximum}`;
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
      return `strictement plus grand que ${s.exclusiveMinimum}`;
    case ValueErrorType.NumberExclusiveMaximum:
    case ValueErrorType.IntegerExclusiveMaximum:
      return `strictement plus petit que ${s.exclusiveMaximum}`;
    case ValueErrorType.NumberMultipleOf:
    case ValueErrorType.IntegerMultipleOf:
      return `multiple de ${s.multipleOf} attendu`;
    case ValueErrorType.Boolean:
      return 'true ou false attendu';
    case ValueErrorType.Null:
      return 'null attendu';
    case ValueErrorType.Literal:
      return `${quoted(s.const)} attendu`;
    case ValueErrorType.Union: {
      const allowed = allowedValues(s);
      return allowed ? `une de ces valeurs attendue : ${allowed}` : 'valeur d’un type non admis ici';
    }
    case ValueErrorType.Array:
      return 'liste attendue';
    case ValueErrorType.ArrayMinItems:
      return `au moins ${plural(s.minItems as number, 'élément')}`;
    case ValueErrorType.ArrayMaxItems:
      return `au plus ${plural(s.maxItems as number, 'élément')}`;
    case ValueErrorType.ArrayUniqueItems:
      return 'éléments en double';
    case ValueErrorType.ArrayContains:
    case ValueErrorType.ArrayMinContains:
    case ValueErrorType.ArrayMaxContains:
      return 'la liste ne contient pas les éléments attendus';
    case ValueErrorType.Tuple:
    case ValueErrorType.TupleLength:
      return `liste de ${plural((s.maxItems as number) ?? 0, 'élément')} attendue`;
    case ValueErrorType.Not:
    case ValueErrorType.Never:
      return 'valeur non admise ici';
    case ValueErrorType.Intersect:
      return 'valeur non conforme';
    default:
      return 'valeur non valide';
  }
}
