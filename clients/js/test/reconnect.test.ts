import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { HubConnection } from "@microsoft/signalr";
import { ConnectionClosedError, fetchDevToken, type ChatClient } from "../src/index.js";
import { chatSession, names, protocols, type ChatSession } from "./support/chat.js";
import { EventStream } from "./support/eventStream.js";
import { ServerProcess } from "./support/serverProcess.js";
import { TcpProxy } from "./support/tcpProxy.js";

// Network failures between client and server, made on purpose with a TCP proxy in front of one real server.
let server: ServerProcess;
const cleanup: (() => Promise<void>)[] = [];

before(async () => {
  server = await ServerProcess.start();
});

after(async () => {
  for (const step of cleanup.reverse()) {
    await step().catch(() => undefined);
  }
  await server?.stop();
});

async function proxy(): Promise<TcpProxy> {
  const created = await TcpProxy.start(server.port);
  cleanup.push(() => created.close());
  return created;
}

async function session(prefix: string, protocol: (typeof protocols)[number], options: Parameters<typeof chatSession>[3] = {}): Promise<ChatSession> {
  const created = await chatSession(server.url, names.user(prefix), protocol, options);
  cleanup.push(() => created.client.stop());
  return created;
}

test("the first connect is retried until the server can be reached", async () => {
  const network = await proxy();
  network.refuse();
  const alice = await session("alice", "json", { hubUrl: network.url, start: false });

  const started = alice.client.start();
  await alice.events.connecting.next((e) => e.attempt === 3);
  network.refuse(false);
  await started;
  await alice.events.Welcome.next();

  assert.equal(alice.client.state, "connected");
  assert.ok(alice.events.connecting.items[1]!.error instanceof Error, "a retry says why the last try failed");
  assert.equal(alice.events.connected.items.length, 1);
  assert.deepEqual(alice.events.stateChanged.items.map((e) => e.state), ["connecting", "connected"]);
});

test("the policy gives up after maxAttempts: gaveUp, then disconnected, then calls fail fast", async () => {
  const network = await proxy();
  const alice = await session("alice", "json", { hubUrl: network.url, reconnect: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 } });

  network.refuse();
  network.cutAll();
  const gaveUp = await alice.events.gaveUp.next();
  await alice.events.disconnected.next();

  assert.equal(gaveUp.attempts, 2);
  assert.deepEqual(alice.events.reconnecting.items.map((e) => e.attempt), [1, 2]);
  assert.equal(alice.client.state, "disconnected");
  await assert.rejects(alice.client.sendMessage({ text: "anyone?" }), ConnectionClosedError);
});

test("a client that gave up can be started again and re-joins its rooms", async () => {
  const network = await proxy();
  const alice = await session("alice", "json", { hubUrl: network.url, reconnect: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 10 } });
  const room = names.room();
  await alice.client.joinRoom({ room });
  network.refuse();
  network.cutAll();
  await alice.events.disconnected.next();

  network.refuse(false);
  await alice.client.start();
  const rejoined = await alice.events.roomRejoined.next((e) => e.room === room);

  assert.deepEqual(rejoined.members.map((m) => m.id), [alice.userName]);
  assert.deepEqual(alice.client.joinedRooms, [room]);
});

for (const protocol of protocols) {
  describe(`lost connection over ${protocol}`, () => {
    test("after a reconnect with a new connection id the rooms are re-joined and the state events come in order", async () => {
      const network = await proxy();
      const alice = await session("alice", protocol, { hubUrl: network.url });
      const bob = await session("bob", protocol);
      const room = names.room();
      await alice.client.joinRoom({ room });
      await bob.client.joinRoom({ room });
      const oldConnectionId = alice.client.connectionId;

      network.refuse(); // the stateful reconnect's one quick retry fails too, so this is a new connection
      network.cutAll();
      await alice.events.reconnecting.next((e) => e.attempt === 2);
      network.refuse(false);
      const reconnected = await alice.events.reconnected.next();
      const ack = await bob.client.sendRoomMessage({ room, text: "welcome back" });
      const received = await alice.events.ReceiveRoomMessage.next((m) => m.id === ack.id);

      assert.notEqual(reconnected.connectionId, oldConnectionId);
      assert.deepEqual(alice.events.roomRejoined.items.map((e) => e.room), [room]);
      assert.equal(received.text, "welcome back");
      assert.deepEqual(alice.events.stateChanged.items.map((e) => e.state), ["connecting", "connected", "reconnecting", "connected"]);
      assert.ok(alice.events.reconnecting.items.every((e) => e.delayMs >= 0 && e.delayMs <= 500));
    });

    test("a send whose ack was lost is re-sent after the reconnect and delivered once, with the original id", async () => {
      const network = await proxy();
      const alice = await session("alice", protocol, { hubUrl: network.url });
      const bob = await session("bob", protocol);
      const room = names.room();
      await alice.client.joinRoom({ room });
      await bob.client.joinRoom({ room });

      network.holdServerToClient(); // the server will deliver the message, but its ack never reaches alice
      const sending = alice.client.sendRoomMessage({ room, text: "exactly once" });
      const delivered = await bob.events.ReceiveRoomMessage.next((m) => m.text === "exactly once");
      network.refuse();
      network.cutAll();
      network.holdServerToClient(false);
      await alice.events.reconnecting.next((e) => e.attempt === 2);
      network.refuse(false);
      const ack = await sending;
      const sentinel = await alice.client.sendRoomMessage({ room, text: "sentinel" });
      await bob.events.ReceiveRoomMessage.next((m) => m.id === sentinel.id);

      assert.equal(ack.id, delivered.id);
      assert.equal(bob.events.ReceiveRoomMessage.items.filter((m) => m.text === "exactly once").length, 1);
      assert.equal(alice.events.ReceiveRoomMessage.items.filter((m) => m.text === "exactly once").length, 1,
        "the sender sees its own message once too: live or in the re-join history, not both");
    });
  });
}

/**
 * Test-only hooks into a client: while `dropWelcome` is set, the server's `Welcome` does not count as acceptance
 * (as if the hub's OnConnectedAsync had not sent it yet); `reopened` records each connection SignalR reopened after
 * a loss (handshake done, the client now waiting for `Welcome`).
 */
function acceptanceHooks(client: ChatClient): { dropWelcome: boolean; reopened: EventStream<string | null> } {
  const internals = client as unknown as { accept(): void; connection: HubConnection };
  const accept = internals.accept.bind(client);
  const hooks = { dropWelcome: false, reopened: new EventStream<string | null>("reopened") };
  internals.accept = () => {
    if (!hooks.dropWelcome) {
      accept();
    }
  };
  internals.connection.onreconnected((connectionId) => hooks.reopened.push(connectionId ?? null));
  return hooks;
}

test("a first connect the server does not accept in time rejects start() and closes", async () => {
  const alice = await session("alice", "json", { start: false, acceptTimeoutMs: 300 });
  acceptanceHooks(alice.client).dropWelcome = true;

  await assert.rejects(alice.client.start(), (error: Error) => error instanceof ConnectionClosedError && /did not accept/.test(error.message));
  await alice.events.disconnected.next();
  assert.equal(alice.client.state, "disconnected");
});

test("a reconnect the server does not accept in time is a failed attempt, retried per the policy", async () => {
  const network = await proxy();
  // Long enough for the first start on a loaded machine; the reconnect's Welcome is dropped, so it times out anyway.
  const alice = await session("alice", "json", { hubUrl: network.url, acceptTimeoutMs: 2_000 });
  const hooks = acceptanceHooks(alice.client);

  hooks.dropWelcome = true;
  network.refuse(); // past the stateful reconnect's quick retry, so this is SignalR's reconnect
  network.cutAll();
  await alice.events.reconnecting.next((e) => e.attempt === 2);
  network.refuse(false);
  await hooks.reopened.next();
  const timedOut = await alice.events.reconnecting.next((e) => /did not accept/.test(e.error?.message ?? ""));
  hooks.dropWelcome = false;
  await alice.events.reconnected.next();

  assert.ok(timedOut.error instanceof ConnectionClosedError);
  assert.equal(alice.client.state, "connected");
  assert.equal(alice.events.disconnected.items.length, 0);
  await alice.client.sendMessage({ text: "back" });
});

test("a reconnected connection lost again before Welcome: the older wait's timer does not stop the newer connection", async () => {
  const acceptTimeoutMs = 1_500;
  const network = await proxy();
  const alice = await session("alice", "json", { hubUrl: network.url, acceptTimeoutMs });
  const hooks = acceptanceHooks(alice.client);

  hooks.dropWelcome = true;
  network.refuse();
  network.cutAll();
  await alice.events.reconnecting.next((e) => e.attempt === 2);
  network.refuse(false);
  await hooks.reopened.next(); // open, its Welcome not come: the acceptance wait (and its timer) runs
  network.refuse();
  network.cutAll(); // lost before Welcome, as when its server stops: SignalR reconnects on its own
  await alice.events.reconnecting.next((e) => e.attempt === 2);
  hooks.dropWelcome = false;
  network.refuse(false);
  await alice.events.reconnected.next();

  // Past the first wait's deadline the connection is still up.
  await assert.rejects(alice.events.disconnected.next(undefined, acceptTimeoutMs * 2), /Timed out/);
  assert.equal(alice.client.state, "connected");
  await alice.client.sendMessage({ text: "still here" });
});

test("a first connection lost before Welcome: start() completes through the reconnect and the older wait does not stop it", async () => {
  const acceptTimeoutMs = 1_500;
  const network = await proxy();
  const alice = await session("alice", "json", { hubUrl: network.url, acceptTimeoutMs, start: false });
  const hooks = acceptanceHooks(alice.client);
  const connection = (alice.client as unknown as { connection: HubConnection }).connection;
  const open = connection.start.bind(connection);
  connection.start = async () => {
    await open();
    if (hooks.dropWelcome) {
      network.refuse();
      network.cutAll(); // lost after the handshake, before Welcome
    }
  };

  hooks.dropWelcome = true;
  const started = alice.client.start();
  await alice.events.reconnecting.next((e) => e.attempt === 2);
  hooks.dropWelcome = false;
  network.refuse(false);
  await started;

  assert.equal(alice.client.state, "connected");
  assert.equal(alice.events.connected.items.length, 1);
  assert.equal(alice.events.reconnected.items.length, 0);
  await assert.rejects(alice.events.disconnected.next(undefined, acceptTimeoutMs * 2), /Timed out/);
  assert.equal(alice.client.state, "connected");
  await alice.client.sendMessage({ text: "still here" });
});

test("sign-in with an invalid user name is refused with the server's reason", async () => {
  await assert.rejects(fetchDevToken(server.url, { userName: "no spaces" }), /userName must be 1-64 characters/);
});
