/**
 * Type-level tests of deco-rum.d.ts, run by `tsc -p types` (npm test): every call below
 * compiles, except those marked `@ts-expect-error`, which must fail to compile (tsc
 * reports an unused `@ts-expect-error` as an error, so a rule that stops biting fails).
 */
import type { DecoRum, Sha256Hex } from '../deco-rum';

declare const rum: DecoRum;
declare const sku: string;
declare const productId: number;
declare const email: string;
declare const anyText: string;
declare const tier: 'express' | 'standard';

// The reserved funnel, as a storefront records it.
rum.track('view_item_list', { items_count: 24 }, { item_list_name: 'Home carousel' });
rum.track('view_product', { item_id: sku, price: 189.9 }, { currency: 'BRL', item_category: 'jackets' });
rum.track('view_product', { item_id: sku });
rum.track('add_to_cart', { item_id: sku, quantity: 2, price: 79.9 }, { currency: 'BRL' });
rum.track('remove_from_cart', { item_id: sku, quantity: 1 }, {});
rum.track('begin_checkout', { value: 269.8, items_count: 3 }, { currency: 'BRL' });
rum.track('add_shipping_info', { value: 269.8 }, { shipping_tier: tier });
rum.track('add_payment_info', { value: 269.8 }, { payment_type: 'pix' });
rum.track('purchase', { transaction_id: 'T-1', value: 269.8 }, { currency: 'BRL', payment_type: 'credit_card', shipping_tier: 'express' });
rum.track('search', { search_term: anyText, results_count: 12 });
rum.track('login', {}, { method: 'google' });
rum.track('sign_up', {}, { method: 'password' });

// Custom events.
rum.track('newsletter_signup', { source_page: anyText }, { placement: 'footer', logged_in: true });
rum.track('chat_opened');

// @ts-expect-error an id where a label belongs (a run-time string)
rum.track('view_product', { item_id: sku }, { item_category: sku });
// @ts-expect-error a number id as a label
rum.track('view_item_list', {}, { item_list_name: productId });
// @ts-expect-error a run-time string as a custom label
rum.track('wishlist_add', { item_id: sku }, { item: sku });
// @ts-expect-error an email as a label
rum.track('sign_up', {}, { method: email });
// @ts-expect-error a label the event does not declare
rum.track('add_to_cart', { item_id: sku }, { item_id: 'SKU-1' });
// @ts-expect-error a required label missing
rum.track('add_shipping_info', { value: 1 }, {});
// @ts-expect-error a required label missing, labels left out
rum.track('add_payment_info', { value: 1 });
// @ts-expect-error a payment type outside the closed list
rum.track('add_payment_info', {}, { payment_type: 'bitcoin_maybe' });
// @ts-expect-error a currency that is not three uppercase letters
rum.track('purchase', { transaction_id: 'T-1', value: 1 }, { currency: 'real' });
// @ts-expect-error a required attribute missing (purchase needs value)
rum.track('purchase', { transaction_id: 'T-1' }, { currency: 'BRL' });
// @ts-expect-error the product id is an attribute, required for view_product
rum.track('view_product', {}, { currency: 'BRL' });
// @ts-expect-error an uppercase custom name
rum.track('NewsletterSignup');
// @ts-expect-error a dash in a custom name
rum.track('add-to-wishlist');
// @ts-expect-error a custom name starting with a digit
rum.track('1st_visit');
// @ts-expect-error an object as a label
rum.track('chat_opened', {}, { widget: { id: 1 } });

// identify takes only a SHA-256 (from sha256, or cast by a site that hashes server-side).
async function identifyUser(): Promise<void> {
  rum.identify(await rum.sha256(email));
  rum.identify('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' as Sha256Hex);
  rum.identify(null);
  // @ts-expect-error an email, not its hash
  rum.identify(email);
  // @ts-expect-error a plain string is not known to be a hash
  rum.identify('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
  // @ts-expect-error a number
  rum.identify(42);
}

// The global is typed too.
window.DECO_RUM.consent(true);
DECO_RUM.track('login', {}, { method: 'sso' });
export { identifyUser };
