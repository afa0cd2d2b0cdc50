import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ConnectionClosedError } from "../src/index.js";
import { defaultTimeoutMs } from "./support/eventStream.js";
import { chatSession, names, type ChatSession } from "./support/chat.js";
import { ServerProcess } from "./support/serverProcess.js";
import { TcpProxy } from "./support/tcpProxy.js";

// A server that allows one connection per user: the second is closed by the server right after it opens.
let server: ServerProcess;
const cleanup: (() => Promise<void>)[] = [];

before(async () => {
  server = await ServerProcess.start({ "Limits:MaxConnectionsPerUser": "1" });
});

after(async () => {
  for (const step of cleanup.reverse()) {
    await step().catch(() => undefined);
  }
  await server?.stop();
});

async function session(userName: string, options: Parameters<typeof chatSession>[3] = {}): Promise<ChatSession> {
  const created = await chatSession(server.url, userName, "json", options);
  cleanup.push(() => created.client.stop());
  return created;
}

/** Starts until the server has released the user's earlier connection (it does so after that one closes). */
async function startWhenFreed(userName: string): Promise<ChatSession> {
  const deadline = Date.now() + defaultTimeoutMs;
  for (;;) {
    const created = await session(userName, { start: false });
    try {
      await created.client.start();
      return created;
    } catch (error) {
      if (!(error instanceof ConnectionClosedError) || Date.now() > deadline) {
        throw error;
      }
    }
  }
}

test("a connection over the user's limit rejects start() with the server's reason and is never reported connected", async () => {
  const userName = names.user("tabs");
  const first = await session(userName);
  const second = await session(userName, { start: false });

  const error = await second.client.start().then(
    () => assert.fail("start() resolved for a connection the server refused"),
    (failure: unknown) => failure,
  );
  await second.events.disconnected.next();

  assert.ok(error instanceof ConnectionClosedError, `not a ConnectionClosedError: ${String(error)}`);
  assert.equal(error.message, `Too many connections: user '${userName}' already has 1 open, the limit.`);
  assert.equal(second.events.connected.items.length, 0);
  assert.equal(second.events.Welcome.items.length, 0);
  assert.deepEqual(second.events.stateChanged.items.map((e) => e.state), ["connecting", "disconnected"]);
  assert.equal(second.client.state, "disconnected");
  assert.equal(first.client.state, "connected");
});

test("a reconnect refused by the user's limit ends in disconnected with the reason, without reconnected", async () => {
  const userName = names.user("moved");
  const network = await TcpProxy.start(server.port);
  cleanup.push(() => network.close());
  // Without stateful reconnect the server lets go of the cut connection, and its slot, at once.
  const roaming = await session(userName, { hubUrl: network.url, statefulReconnect: false });

  network.refuse();
  network.cutAll();
  await roaming.events.reconnecting.next();
  await startWhenFreed(userName);
  network.refuse(false);
  const disconnected = await roaming.events.disconnected.next();

  assert.match(String(disconnected.error?.message), /Too many connections: user '.+' already has 1 open, the limit\./);
  assert.equal(roaming.events.reconnected.items.length, 0);
  assert.equal(roaming.events.stateChanged.items.at(-1)?.state, "disconnected");
  assert.ok(!roaming.events.stateChanged.items.slice(2).some((e) => e.state === "connected"), "never back to connected");
});
