import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConnectionClosedError, fetchDevToken } from "../src/index.js";
import { chatSession, names, protocols, type ChatSession } from "./support/chat.js";
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

test("sign-in with an invalid user name is refused with the server's reason", async () => {
  await assert.rejects(fetchDevToken(server.url, { userName: "no spaces" }), /userName must be 1-64 characters/);
});
