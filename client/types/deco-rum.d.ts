/**
 * deco RUM's browser API, `window.DECO_RUM`, typed so that the compiler keeps analytics
 * bounded: an event's *labels* (what dashboards group by) accept only compile-time constants
 * (string literals or unions of them), never a `string` or `number` computed at run time,
 * so an id, a SKU or an email passed as a label is a compile error; such values belong in
 * *attributes*. Names follow the GA4 e-commerce vocabulary, so a data layer maps onto them.
 *
 * Use it as a module (`import type { DecoRum } from 'deco-rum-snippet'`) or just reference
 * it: either way `window.DECO_RUM` is typed. The snippet checks the same rules at run time
 * and drops invalid calls (docs/snippet.md).
 */

/** An ISO 4217 currency code: three uppercase letters (`BRL`, `USD`). */
export type CurrencyCode = `${Upper}${Upper}${Upper}`;
type Upper =
  | 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M'
  | 'N' | 'O' | 'P' | 'Q' | 'R' | 'S' | 'T' | 'U' | 'V' | 'W' | 'X' | 'Y' | 'Z';

/** How an order is paid (GA4 `payment_type`), a closed list. */
export type PaymentType =
  | 'credit_card'
  | 'debit_card'
  | 'pix'
  | 'boleto'
  | 'paypal'
  | 'apple_pay'
  | 'google_pay'
  | 'gift_card'
  | 'store_credit'
  | 'bank_transfer'
  | 'cash_on_delivery'
  | 'other';

/** How a user logs in or signs up (GA4 `method`), a closed list. */
export type LoginMethod = 'password' | 'email_link' | 'sms' | 'google' | 'facebook' | 'apple' | 'sso' | 'other';

/**
 * A label value: a string the site chooses from a small set it knows at compile time
 * (`'express'`, `'Home carousel'`), written as a literal or a union of literals. The
 * `string` type is refused, so a value read at run time (an id, a search term) cannot be
 * one. At run time: at most 64 characters, nothing that looks like an id (docs/snippet.md).
 */
export type LabelText = string;

/** Free values, stored as attributes (ids, prices, quantities, text): at most 16, each cut at 128 characters. */
export type Attributes = Record<string, string | number | boolean | null | undefined>;

/** The reserved events: each one's attributes and labels. */
export interface ReservedEvents {
  view_product: {
    attributes: { item_id: string; item_name?: string; item_variant?: string; price?: number; value?: number };
    labels: { currency?: CurrencyCode; item_category?: LabelText; item_list_name?: LabelText };
  };
  view_item_list: {
    attributes: { item_list_id?: string; items_count?: number };
    labels: { item_list_name: LabelText; item_category?: LabelText };
  };
  add_to_cart: {
    attributes: { item_id: string; item_name?: string; item_variant?: string; quantity?: number; price?: number; value?: number };
    labels: { currency?: CurrencyCode; item_category?: LabelText; item_list_name?: LabelText };
  };
  remove_from_cart: {
    attributes: { item_id: string; item_variant?: string; quantity?: number; price?: number; value?: number };
    labels: { currency?: CurrencyCode; item_category?: LabelText };
  };
  begin_checkout: {
    attributes: { value?: number; items_count?: number; coupon?: string };
    labels: { currency?: CurrencyCode };
  };
  add_shipping_info: {
    attributes: { value?: number; coupon?: string };
    labels: { currency?: CurrencyCode; shipping_tier: LabelText };
  };
  add_payment_info: {
    attributes: { value?: number; coupon?: string };
    labels: { currency?: CurrencyCode; payment_type: PaymentType };
  };
  purchase: {
    attributes: { transaction_id: string; value: number; tax?: number; shipping?: number; coupon?: string; items_count?: number };
    labels: { currency: CurrencyCode; payment_type?: PaymentType; shipping_tier?: LabelText };
  };
  search: {
    attributes: { search_term: string; results_count?: number };
    labels: { search_type?: LabelText };
  };
  login: {
    attributes: Record<string, never>;
    labels: { method: LoginMethod };
  };
  sign_up: {
    attributes: Record<string, never>;
    labels: { method: LoginMethod };
  };
}

export type ReservedEventName = keyof ReservedEvents;

/** `never` where a label is the wide `string` (or a number): only literals pass. */
type OnlyLiterals<L> = {
  [K in keyof L]: L[K] extends string | undefined ? (string extends L[K] ? never : L[K]) : L[K] extends boolean | undefined ? L[K] : never;
};

/** A custom event name: lowercase, digits and `_`, starting with a letter, at most 40 (checked at run time). */
export type CustomEventName<N extends string> = N extends ReservedEventName
  ? never
  : N extends Lowercase<N>
    ? N extends `${string}${' ' | '-' | '.' | '/' | ':'}${string}` | `${Digit | '_'}${string}` | ''
      ? never
      : N
    : never;
type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/** Labels of a custom event: at most 4 (checked at run time), each a literal string or a boolean. */
export type CustomLabels = Record<string, LabelText | boolean | undefined>;

/** A SHA-256 as 64 lowercase hex characters: what `sha256` gives and `identify` takes. */
export type Sha256Hex = string & { readonly __sha256Hex: true };

export interface DecoRum {
  /** A reserved event: its attributes and labels are checked against `ReservedEvents`. */
  track<const N extends ReservedEventName, const L extends ReservedEvents[N]['labels']>(
    name: N,
    attributes: ReservedEvents[N]['attributes'],
    labels: L & OnlyLiterals<L>,
  ): void;
  /** A reserved event with no required label. */
  track<const N extends ReservedEventName>(
    name: {} extends ReservedEvents[N]['labels'] ? N : never,
    attributes: ReservedEvents[N]['attributes'],
  ): void;
  /** A custom event (any other name). */
  track<const N extends string, const L extends CustomLabels = {}>(
    name: CustomEventName<N>,
    attributes?: Attributes,
    labels?: L & OnlyLiterals<L>,
  ): void;
  /** Rows after this carry the user's hash (`rum.user.hash`); `null` on logout stops it. */
  identify(userHash: Sha256Hex | null): void;
  /** `true` lets the snippet send and use sessionStorage; `false` drops the queue and stops. */
  consent(granted: boolean): void;
  /** The SHA-256 of `text` (UTF-8), through SubtleCrypto; rejects where it is missing (plain HTTP). Not in rum.errors.js. */
  sha256(text: string): Promise<Sha256Hex>;
}

declare global {
  interface Window {
    DECO_RUM: DecoRum;
  }
  // eslint-disable-next-line no-var
  var DECO_RUM: DecoRum;
}
