import { expect, test } from 'vitest';
import { DomainError } from '@aptic/contracts';
import { assertLogosUploaded } from './proof.ts';

test('no proof of an order that bought a logo until the logo is uploaded', () => {
  const refusal = (options: string[], uploaded: string[]) => {
    try {
      assertLogosUploaded(options, uploaded);
      return null;
    } catch (err) {
      return err instanceof DomainError ? { code: err.code, message: err.message } : err;
    }
  };
  expect(refusal(['logo_pass', 'logo_cover'], ['pass'])).toEqual({
    code: 'logo_missing',
    message: 'La commande a acheté un logo pour la couverture : déposez-le avant d’envoyer le BAT.',
  });
  expect(refusal(['logo_pass', 'logo_cover'], [])).toMatchObject({ code: 'logo_missing' });
  expect(refusal(['logo_pass', 'logo_cover'], ['cover', 'pass'])).toBeNull();
  expect(refusal(['journeys_support'], [])).toBeNull();
});
