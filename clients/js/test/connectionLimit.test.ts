import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as wait } from "node:timers/promises";
import { ConnectionClosedError, fetchDevToken, type ReconnectOptions } from "../src/index.js";
import { defaultTimeoutMs } from "./support/eventStream.js";
import { TokenGate, chatSession, names, type ChatSession } from "./support/chat.js";
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

/**
 * Starts until the server has released the user's earlier connection (it does so after that one closes), backing
 * off between refused tries (25 ms doubling up to 250 ms) so they do not hammer the server; gives up at the deadline.
 */
async function startWhenFreed(userName: string): Promise<ChatSession> {
  const deadline = Date.now() + defaultTimeoutMs;
  for (let backoffMs = 25; ; backoffMs = Math.min(backoffMs * 2, 250)) {
    const created = await session(userName, { start: false });
    try {
      await created.client.start();
      return created;
    } catch (error) {
      const remaining = deadline - Date.now();
      if (!(error instanceof ConnectionClosedError) || remaining <= 0) {
        throw error;
      }
      await wait(Math.min(backoffMs, remaining));
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

/** A client of `userName` through its own TCP proxy (so the test can cut it), its token behind a gate. */
async function roamingSession(userName: string, reconnect?: ReconnectOptions): Promise<{ roaming: ChatSession; network: TcpProxy; gate: TokenGate }> {
  const network = await TcpProxy.start(server.port);
  cleanup.push(() => network.close());
  const gate = new TokenGate((await fetchDevToken(server.url, { userName })).accessToken);
  // Without stateful reconnect the server lets go of the cut connection, and its slot, at once.
  const roaming = await session(userName, { hubUrl: network.url, statefulReconnect: false, accessTokenFactory: gate.factory, ...(reconnect ? { reconnect } : {}) });
  return { roaming, network, gate };
}

/**
 * Cuts the roaming client's connection and, while its reconnect waits for a token, lets another connection of the
 * same user take the freed slot: to the reconnect it looks like a server that still counts the lost connection.
 */
async function cutAndOccupy(userName: string, roaming: ChatSession, network: TcpProxy, gate: TokenGate): Promise<ChatSession> {
  gate.close();
  network.cutAll();
  await roaming.events.reconnecting.next();
  const occupying = await startWhenFreed(userName);
  gate.release();
  return occupying;
}

const tooMany = /^Too many connections: user '.+' already has 1 open, the limit\.$/;

test("a reconnect refused by the user's limit is retried and comes back with reconnected once the slot is free, without giving up", async () => {
  const userName = names.user("moved");
  const { roaming, network, gate } = await roamingSession(userName);

  const occupying = await cutAndOccupy(userName, roaming, network, gate);
  const refused = await roaming.events.reconnecting.next((e) => tooMany.test(String(e.error?.message)));
  await occupying.client.stop();
  const reconnected = await roaming.events.reconnected.next();

  assert.ok(refused.attempt >= 2, `the refusal was not counted as a failed attempt (attempt ${refused.attempt})`);
  assert.equal(roaming.events.gaveUp.items.length, 0);
  assert.equal(roaming.events.disconnected.items.length, 0);
  assert.equal(roaming.events.reconnected.items.length, 1);
  // Only the accepted connection got a Welcome (one on start, one now), and reconnected came after it.
  assert.equal(roaming.events.Welcome.items.length, 2);
  assert.equal(reconnected.connectionId, roaming.client.connectionId);
  assert.equal(roaming.client.state, "connected");
  assert.deepEqual(roaming.events.stateChanged.items.map((e) => e.state), ["connecting", "connected", "reconnecting", "connected"]);
});

test("a reconnect refused by the user's limit until the policy runs out ends in gaveUp and disconnected with the server's reason", async () => {
  const userName = names.user("crowded");
  const { roaming, network, gate } = await roamingSession(userName, { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50, jitter: 0 });

  const occupying = await cutAndOccupy(userName, roaming, network, gate);
  const gaveUp = await roaming.events.gaveUp.next();
  const disconnected = await roaming.events.disconnected.next();

  assert.equal(gaveUp.attempts, 3);
  assert.match(String(gaveUp.error?.message), tooMany);
  assert.match(String(disconnected.error?.message), tooMany);
  assert.deepEqual(roaming.events.reconnecting.items.map((e) => e.attempt), [1, 2, 3]);
  assert.equal(roaming.events.reconnected.items.length, 0);
  assert.equal(roaming.client.state, "disconnected");
  assert.equal(occupying.client.state, "connected");
});
