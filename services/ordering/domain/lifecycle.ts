import { DomainError } from '@aptic/contracts';

/**
 * An order's life, from the quote (devis) to its closing after the passes' validity:
 * quoted → accepted → invoiced → paid → closed, or quoted → expired.
 * The allowed transitions live here and nowhere else.
 */
export const OrderStatuses = ['quoted', 'accepted', 'invoiced', 'paid', 'closed', 'expired'] as const;
export type OrderStatus = (typeof OrderStatuses)[number];

const allowed: Record<OrderStatus, readonly OrderStatus[]> = {
  quoted: ['accepted', 'expired'],
  accepted: ['invoiced'],
  invoiced: ['paid'],
  paid: ['closed'],
  closed: [],
  expired: [],
};

const labels: Record<OrderStatus, string> = {
  quoted: 'devis émis',
  accepted: 'devis accepté',
  invoiced: 'facturée',
  paid: 'payée',
  closed: 'clôturée',
  expired: 'devis expiré',
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return allowed[from].includes(to);
}

/** Refuses a move the lifecycle does not allow, saying where the order stands. */
export function assertMove(from: OrderStatus, to: OrderStatus): void {
  if (!canMove(from, to)) {
    throw new DomainError(
      'invalid_transition',
      `La commande est « ${labels[from]} » : elle ne peut pas passer à « ${labels[to]} ».`,
      { status: 409 },
    );
  }
}

/** Usage rules may change until the order is paid: after that, passes are being issued under them. */
export function rulesEditable(status: OrderStatus): boolean {
  return status === 'quoted' || status === 'accepted' || status === 'invoiced';
}
