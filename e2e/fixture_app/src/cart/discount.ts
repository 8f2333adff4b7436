const CODES: Record<string, number> = { WELCOME10: 0.1, VIP20: 0.2 };

export function applyDiscount(subtotal: number, code: string): number {
  const rate = CODES[code];
  if (rate === undefined) {
    throw new RangeError(`discount code "${code}" is not valid for a cart of ${subtotal}`);
  }
  return subtotal * (1 - rate);
}
