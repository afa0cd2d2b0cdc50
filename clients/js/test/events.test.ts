import assert from "node:assert/strict";
import { test } from "node:test";
import { withSignal } from "../src/deferred.js";

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
