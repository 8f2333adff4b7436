import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rotateSession } from './.build/rotateSession.mjs';

const MIN = 60 * 1000;
const START = 1_700_000_000_000;

const cases = [
  ['no stored session starts one', undefined, START, `new.${START}.${START}`],
  ['an empty string starts one', '', START, `new.${START}.${START}`],
  ['garbage starts one', 'garbage', START, `new.${START}.${START}`],
  ['activity within 30 min keeps it, touching last', `abc.${START}.${START}`, START + 29 * MIN, `abc.${START}.${START + 29 * MIN}`],
  ['30 min idle rotates', `abc.${START}.${START}`, START + 30 * MIN, `new.${START + 30 * MIN}.${START + 30 * MIN}`],
  ['active but 4 h old rotates', `abc.${START}.${START + 239 * MIN}`, START + 240 * MIN, `new.${START + 240 * MIN}.${START + 240 * MIN}`],
  ['3 h 59 min old and active keeps it', `abc.${START}.${START + 230 * MIN}`, START + 239 * MIN, `abc.${START}.${START + 239 * MIN}`],
];

for (const [name, saved, now, expected] of cases) {
  test(`rotateSession: ${name}`, () => {
    assert.equal(rotateSession(saved, now, 'new'), expected);
  });
}
