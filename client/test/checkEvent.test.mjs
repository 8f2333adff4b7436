import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEvent } from './.build/checkEvent.mjs';

const valid = [
  ['a reserved event with labels', 'add_to_cart', { currency: 'BRL', item_category: 'shoes' }],
  ['a custom name of 40 characters', 'a' + 'b'.repeat(39), undefined],
  ['4 labels', 'search', { a: '1', b: '2', c: 'x', d: true }],
  ['a label of 64 characters', 'login', { method: 'x'.repeat(64) }],
  ['a 4-digit number (a year)', 'purchase', { year: 2026 }],
  ['undefined label values (optional fields)', 'purchase', { coupon: undefined }],
];
for (const [name, event, labels] of valid) {
  test(`checkEvent: valid: ${name}`, () => assert.equal(checkEvent(event, labels), undefined));
}

const invalid = [
  ['an uppercase name', 'View_Product', {}],
  ['a name with a dash', 'add-to-cart', {}],
  ['a name starting with a digit', '1st_visit', {}],
  ['a name of 41 characters', 'a'.repeat(41), {}],
  ['a name that is not a string', 42, {}],
  ['no name', undefined, {}],
  ['5 labels', 'search', { a: '1', b: '2', c: '3', d: '4', e: '5' }],
  ['a label of 65 characters', 'login', { method: 'x'.repeat(65) }],
  ['an object as a label', 'login', { method: { a: 1 } }],
  ['a null label', 'login', { method: null }],
  ['a SKU as a label', 'view_product', { item_id: 'SKU-1234567' }],
  ['a numeric id as a label', 'view_product', { item_id: 98765 }],
  ['a UUID as a label', 'purchase', { order: '123e4567-e89b-12d3-a456-426614174000' }],
  ['a long hex as a label', 'login', { user: 'deadbeefcafe0123' }],
  ['an email as a label', 'sign_up', { who: 'jane.doe@example.com' }],
];
for (const [name, event, labels] of invalid) {
  test(`checkEvent: refused: ${name}`, () => assert.ok(checkEvent(event, labels)));
}
