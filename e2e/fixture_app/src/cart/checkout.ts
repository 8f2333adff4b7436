import type { Item } from '../main';
import { applyDiscount } from './discount';

export function checkout(items: Item[], code: string): number {
  const subtotal = items.reduce((sum, item) => sum + item.price, 0);
  const total = applyDiscount(subtotal, code);
  return Math.round(total * 100) / 100;
}
