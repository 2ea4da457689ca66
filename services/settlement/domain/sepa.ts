/**
 * One payout run as a SEPA credit-transfer initiation (pain.001.001.03), written by the `sepa`
 * package. Amounts stay integer cents up to the package's edge, where each is divided by 100
 * once (an exact two-decimal number); the file's control sum is then checked against the sum
 * of the cents, and a file that disagrees is refused rather than sent.
 */
import SEPA from 'sepa';

export interface Debtor {
  name: string;
  iban: string;
  bic: string;
}

export interface Transfer {
  endToEndId: string;
  creditorName: string;
  iban: string;
  bic: string;
  amountCents: number;
  remittance: string;
}

export interface SepaRun {
  messageId: string;
  createdAt: Date;
  executionDate: string;
  debtor: Debtor;
  transfers: Transfer[];
}

/** 123456 → "1234.56", in integer arithmetic. */
export function decimalEuros(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0)
    throw new RangeError(`not a non-negative integer number of cents: ${cents}`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** SEPA names are at most 70 characters. */
const name70 = (name: string) => name.slice(0, 70);

/**
 * The package names the payment block `<MsgId>.0` and each transfer `<MsgId>.0.<n>` (Max35Text):
 * a message id of at most 24 characters leaves room for 99,999 transfers.
 */
export function sepaCreditTransfers(run: SepaRun): { xml: string; controlSumCents: number } {
  if (run.transfers.length === 0) throw new Error('a SEPA file needs at least one transfer');
  if (run.messageId.length > 24 || run.transfers.length > 99_999)
    throw new Error('SEPA message id over 24 characters or over 99,999 transfers');
  const doc = new SEPA.Document('pain.001.001.03');
  doc.grpHdr.id = run.messageId;
  doc.grpHdr.created = run.createdAt;
  doc.grpHdr.initiatorName = name70(run.debtor.name);
  const info = doc.createPaymentInfo();
  info.requestedExecutionDate = new Date(`${run.executionDate}T00:00:00Z`);
  info.debtorName = name70(run.debtor.name);
  info.debtorIBAN = run.debtor.iban;
  info.debtorBIC = run.debtor.bic;
  doc.addPaymentInfo(info);
  let controlSumCents = 0;
  for (const t of run.transfers) {
    const tx = info.createTransaction();
    tx.end2endId = t.endToEndId;
    tx.creditorName = name70(t.creditorName);
    tx.creditorIBAN = t.iban;
    tx.creditorBIC = t.bic;
    tx.amount = Number(decimalEuros(t.amountCents));
    tx.remittanceInfo = t.remittance;
    info.addTransaction(tx);
    controlSumCents += t.amountCents;
  }
  const xml = doc.toString();
  const expected = decimalEuros(controlSumCents);
  const sums = [...xml.matchAll(/<CtrlSum>([0-9.]+)<\/CtrlSum>/g)].map((m) => m[1]);
  if (sums.length !== 2 || sums.some((s) => s !== expected))
    throw new Error(`SEPA control sums ${sums.join(', ')} differ from ${expected}`);
  return { xml, controlSumCents };
}
