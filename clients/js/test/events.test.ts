import assert from "node:assert/strict";
import { test } from "node:test";
import { withSignal } from "../src/deferred.js";
import { TypedEvents } from "../src/events.js";

type Events = { ping: number };

/** Unhandled rejections raised while `body` runs and for a few turns of the event loop after it. */
async function unhandledRejectionsDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    await body();
    for (let turn = 0; turn < 3; turn++) {
      await new Promise((resolve) => setImmediate(resolve)); // Node reports them once the microtasks have run
    }
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  return seen;
}

test("the same function subscribed twice is called twice, and each unsubscribe ends only its own subscription", () => {
  const events = new TypedEvents<Events>();
  const calls: number[] = [];
  const listener = (payload: number) => calls.push(payload);

  const first = events.on("ping", listener);
  const second = events.on("ping", listener);
  events.emit("ping", 1);
  first();
  events.emit("ping", 2);
  second();
  events.emit("ping", 3);

  assert.deepEqual(calls, [1, 1, 2]);
});

test("an async listener that rejects is reported like one that throws, never as an unhandled rejection", async () => {
  const reported: string[] = [];
  const events = new TypedEvents<Events>((event, error) => reported.push(`${event}: ${(error as Error).message}`));
  const calls: number[] = [];
  events.on("ping", async () => {
    throw new Error("async boom");
  });
  events.once("ping", async () => {
    throw new Error("async once");
  });
  events.on("ping", (payload) => calls.push(payload));

  const unhandled = await unhandledRejectionsDuring(async () => events.emit("ping", 1));

  assert.deepEqual(unhandled, []);
  assert.deepEqual(reported.sort(), ["ping: async boom", "ping: async once"]);
  assert.deepEqual(calls, [1], "the next listener still ran");
});

test("withSignal with an aborted signal still observes the promise it gave up on", async () => {
  const controller = new AbortController();
  controller.abort(new Error("stopped"));
  let fail!: (error: Error) => void;
  const abandoned = new Promise<void>((_, reject) => (fail = reject));

  const unhandled = await unhandledRejectionsDuring(async () => {
    await assert.rejects(withSignal(abandoned, controller.signal), /stopped/);
    fail(new Error("the abandoned work failed later"));
  });

  assert.deepEqual(unhandled, []);
});
