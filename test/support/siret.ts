/** A valid SIRET made from a counter (its Luhn key computed), for tests that need many funders or places. */
export function validSiret(n: number, lead = '8'): string {
  const base = `${lead}${String(n).padStart(12, '0')}`;
  for (let key = 0; key <= 9; key++) {
    const candidate = base + key;
    let sum = 0;
    [...candidate].reverse().forEach((c, i) => {
      let d = Number(c) * (i % 2 ? 2 : 1);
      if (d > 9) d -= 9;
      sum += d;
    });
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable: one key in ten completes a Luhn number');
}
