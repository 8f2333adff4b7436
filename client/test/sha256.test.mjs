import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from './.build/lib/sha256.mjs';

test('sha256: 64 lowercase hex characters, as identify takes them', async () => {
  assert.equal(await sha256(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(await sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('sha256: the text is hashed as UTF-8 (printf ção | sha256sum)', async () => {
  assert.equal(await sha256('ção'), '4ab2d81279c483cb89ff8224683c386fc9ad7837c9fe19a3f6c32af25384bdaf');
});
