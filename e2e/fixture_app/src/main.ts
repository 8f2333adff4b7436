// A tiny storefront app, bundled and minified by the e2e tests with its source map.
import { checkout } from './cart/checkout';

export interface Item {
  sku: string;
  price: number;
}

export const RELEASE_NOTE: string = typeof RELEASE === 'string' ? RELEASE : 'dev';

/** Called by the test page: checks out a cart with a discount code that is not valid. */
export function buyWithCode(code: string): number {
  const cart: Item[] = [
    { sku: 'shoe-1', price: 120 },
    { sku: 'sock-2', price: 9 },
  ];
  return checkout(cart, code);
}

declare const RELEASE: string | undefined;
