import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fetchDevToken, type ChatMessage } from "../src/index.js";
import { TokenGate, chatSession, names, protocols, type ChatSession } from "./support/chat.js";
import { ServerProcess } from "./support/serverProcess.js";

// A real server restart: clients reconnect on their own, re-join their rooms with the last id they saw, and get
// what they missed once and in order. The server keeps only 3 messages per room, so a longer outage is truncated.
const historyLength = 3;
let server: ServerProcess;
const sessions: ChatSession[] = [];

before(async () => {
  server = await ServerProcess.start({ "Rooms:HistoryLength": String(historyLength) });
});

after(async () => {
  await Promise.all(sessions.map((session) => session.client.stop()));
  await server?.stop();
});

/** Bob connects freely; alice's reconnects wait in a token gate, so the test decides when she comes back. */
async function aliceAndBob(protocol: (typeof protocols)[number], room: string): Promise<{ alice: ChatSession; bob: ChatSession; gate: TokenGate }> {
  const aliceName = names.user("alice");
  const gate = new TokenGate((await fetchDevToken(server.url, { userName: aliceName })).accessToken);
  const alice = await chatSession(server.url, aliceName, protocol, { accessTokenFactory: gate.factory });
  const bob = await chatSession(server.url, names.user("bob"), protocol);
  sessions.push(alice, bob);
  await alice.client.joinRoom({ room });
  await bob.client.joinRoom({ room });
  return { alice, bob, gate };
}

async function sendAll(session: ChatSession, room: string, texts: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const text of texts) {
    ids.push((await session.client.sendRoomMessage({ room, text })).id);
  }
  return ids;
}

for (const protocol of protocols) {
  describe(`server restart over ${protocol}`, () => {
    test("both clients reconnect and re-join, and the messages missed meanwhile arrive once and in order", async () => {
      const room = names.room();
      const { alice, bob, gate } = await aliceAndBob(protocol, room);
      const [beforeId] = await sendAll(bob, room, ["before the restart"]);
      await alice.events.ReceiveRoomMessage.next((m) => m.id === beforeId);

      gate.close();
      await server.restart();
      await bob.events.reconnected.next();
      await bob.events.roomRejoined.next((e) => e.room === room);
      const missedIds = await sendAll(bob, room, ["while alice was away 1", "while alice was away 2"]);
      gate.release();
      const rejoined = await alice.events.roomRejoined.next((e) => e.room === room);
      const [afterId] = await sendAll(bob, room, ["after alice is back"]);
      await alice.events.ReceiveRoomMessage.next((m) => m.id === afterId);

      const seen = alice.events.ReceiveRoomMessage.items.map((m: ChatMessage) => m.id);
      assert.deepEqual(seen, [beforeId, ...missedIds, afterId], "every message once, in order");
      assert.deepEqual(rejoined.missed.map((m) => m.text), ["while alice was away 1", "while alice was away 2"]);
      assert.equal(rejoined.historyTruncated, false);
      assert.ok(rejoined.missed.every((m) => m.timestamp instanceof Date));
      assert.deepEqual(rejoined.members.map((m) => m.id).sort(), [alice.userName, bob.userName].sort());
      assert.equal(alice.client.room(room)?.lastSeenId, afterId);
      assert.equal(alice.client.state, "connected");
      assert.equal(bob.client.state, "connected");
    });

    test("when more was missed than the room keeps, the client says the history was truncated", async () => {
      const room = names.room();
      const { alice, bob, gate } = await aliceAndBob(protocol, room);
      await sendAll(bob, room, ["before the restart"]);
      await alice.events.ReceiveRoomMessage.next();

      gate.close();
      await server.restart();
      await bob.events.roomRejoined.next((e) => e.room === room);
      const missedIds = await sendAll(bob, room, ["m1", "m2", "m3", "m4", "m5"]);
      gate.release();
      const rejoined = await alice.events.roomRejoined.next((e) => e.room === room);

      assert.equal(rejoined.historyTruncated, true);
      assert.deepEqual(rejoined.missed.map((m) => m.id), missedIds.slice(-historyLength), "the newest the room still has, in order");
      assert.deepEqual(alice.events.ReceiveRoomMessage.items.slice(1).map((m) => m.id), missedIds.slice(-historyLength));
    });
  });
}
