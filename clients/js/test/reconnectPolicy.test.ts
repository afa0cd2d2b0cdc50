import assert from "node:assert/strict";
import { test } from "node:test";
import { ReconnectPolicy, defaultReconnectOptions } from "../src/index.js";

test("defaults match the .NET client: 5 attempts, 1 s first delay, doubling, 5 s at most, jitter 0.5", () => {
  assert.deepEqual({ ...defaultReconnectOptions }, { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 5000, multiplier: 2, jitter: 0.5 });
  assert.deepEqual(new ReconnectPolicy().options, defaultReconnectOptions);
});

test("delays grow exponentially up to the maximum, then the policy gives up", () => {
  const noJitter = new ReconnectPolicy({}, () => 0.5);

  assert.deepEqual([1, 2, 3, 4, 5, 6].map((attempt) => noJitter.delayBeforeAttempt(attempt)), [1000, 2000, 4000, 5000, 5000, null]);
});

test("jitter spreads each delay by up to its fraction either way, never past the maximum", () => {
  const lowest = new ReconnectPolicy({}, () => 0);
  const highest = new ReconnectPolicy({}, () => 1);

  assert.deepEqual([1, 2, 3].map((attempt) => lowest.delayBeforeAttempt(attempt)), [500, 1000, 2000]);
  assert.deepEqual([1, 2, 3].map((attempt) => highest.delayBeforeAttempt(attempt)), [1500, 3000, 5000]);
  for (let i = 0; i < 200; i++) {
    const delay = new ReconnectPolicy().delayBeforeAttempt(3)!;
    assert.ok(delay >= 2000 && delay <= 5000, `delay ${delay} out of [2000, 5000]`);
  }
});

test("forever never gives up and stays at the maximum delay", () => {
  const forever = ReconnectPolicy.forever({ jitter: 0 });

  assert.equal(forever.options.maxAttempts, Infinity);
  assert.equal(forever.delayBeforeAttempt(1_000_000), 5000);
});

test("invalid options are refused with a message naming the option", () => {
  assert.throws(() => new ReconnectPolicy({ jitter: 2 }), /jitter/);
  assert.throws(() => new ReconnectPolicy({ maxAttempts: -1 }), /maxAttempts/);
  assert.throws(() => new ReconnectPolicy({ initialDelayMs: 10_000 }), /maxDelayMs/);
  assert.throws(() => new ReconnectPolicy({ multiplier: 0.5 }), /multiplier/);
});
