import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ChatClient, ConnectionClosedError, HubError, LogLevel, type ChatMessage } from "../src/index.js";
import { chatSession, names, protocols, type ChatSession } from "./support/chat.js";
import { within } from "./support/eventStream.js";
import { ServerProcess } from "./support/serverProcess.js";

// The chat contract through the typed client against one real Kestrel server, once per protocol.
let server: ServerProcess;
const sessions: ChatSession[] = [];

before(async () => {
  server = await ServerProcess.start();
});

after(async () => {
  await Promise.all(sessions.map((session) => session.client.stop()));
  await server?.stop();
});

async function connect(prefix: string, protocol: (typeof protocols)[number]): Promise<ChatSession> {
  const session = await chatSession(server.url, names.user(prefix), protocol);
  sessions.push(session);
  return session;
}

for (const protocol of protocols) {
  describe(`chat over ${protocol}`, () => {
    test("welcome names the signed-in user and carries the server time as a Date", async () => {
      const alice = await connect("alice", protocol);
      const welcome = alice.events.Welcome.items[0]!;

      assert.deepEqual(welcome.user, { id: alice.userName, name: alice.userName });
      assert.equal(welcome.connectionId, alice.client.connectionId);
      assert.ok(welcome.serverTime instanceof Date);
      assert.ok(Math.abs(welcome.serverTime.getTime() - Date.now()) < 60_000);
      assert.deepEqual(alice.client.user, welcome.user);
      assert.equal(alice.client.state, "connected");
    });

    test("a global message reaches every client once with the ack's id and a Date timestamp", async () => {
      const alice = await connect("alice", protocol);
      const bob = await connect("bob", protocol);

      const ack = await alice.client.sendMessage({ text: "  hello everyone  " });

      for (const session of [alice, bob]) {
        const message = await session.events.ReceiveMessage.next((m) => m.id === ack.id);
        assert.equal(message.text, "hello everyone");
        assert.equal(message.room, null);
        assert.deepEqual(message.sender, { id: alice.userName, name: alice.userName });
        assert.ok(message.timestamp instanceof Date);
        assert.equal(message.timestamp.getTime(), ack.timestamp.getTime());
      }
    });

    test("room members see each other join and leave, and room messages reach only members", async () => {
      const alice = await connect("alice", protocol);
      const bob = await connect("bob", protocol);
      const carol = await connect("carol", protocol);
      const room = names.room();

      await alice.client.joinRoom({ room });
      const joined = await bob.client.joinRoom({ room });
      const bobJoined = await alice.events.UserJoined.next((e) => e.room === room);
      const ack = await alice.client.sendRoomMessage({ room, text: "hi bob" });
      const received = await bob.events.ReceiveRoomMessage.next((m) => m.room === room);
      await bob.client.leaveRoom({ room });
      const bobLeft = await alice.events.UserLeft.next((e) => e.room === room);
      const sentinel = await alice.client.sendMessage({ text: "sentinel" });
      await carol.events.ReceiveMessage.next((m) => m.id === sentinel.id);

      assert.deepEqual(joined.members.map((m) => m.id).sort(), [alice.userName, bob.userName].sort());
      assert.equal(bobJoined.user.id, bob.userName);
      assert.ok(bobJoined.timestamp instanceof Date);
      assert.equal(received.id, ack.id);
      assert.equal(received.text, "hi bob");
      assert.equal(bobLeft.user.id, bob.userName);
      assert.deepEqual(alice.client.room(room)?.members.map((m) => m.id), [alice.userName]);
      assert.equal(carol.events.ReceiveRoomMessage.items.length, 0, "carol is not in the room");
      assert.deepEqual(bob.client.joinedRooms, []);
    });

    test("joining returns the room's history oldest first, and the client tracks the last id seen", async () => {
      const alice = await connect("alice", protocol);
      const bob = await connect("bob", protocol);
      const room = names.room();
      await alice.client.joinRoom({ room });
      const acks = [];
      for (const text of ["one", "two", "three"]) {
        acks.push(await alice.client.sendRoomMessage({ room, text }));
      }

      const joined = await bob.client.joinRoom({ room });

      assert.deepEqual(joined.history.map((m) => m.text), ["one", "two", "three"]);
      assert.deepEqual(joined.history.map((m) => m.id), acks.map((a) => a.id));
      assert.ok(joined.history.every((m: ChatMessage) => m.timestamp instanceof Date));
      assert.equal(joined.historyTruncated, false);
      assert.equal(bob.client.room(room)?.lastSeenId, acks[2]!.id);
    });

    test("members and history pages can be read by a member, oldest first", async () => {
      const alice = await connect("alice", protocol);
      const bob = await connect("bob", protocol);
      const room = names.room();
      await alice.client.joinRoom({ room });
      await bob.client.joinRoom({ room });
      const acks = [];
      for (const text of ["a", "b", "c", "d"]) {
        acks.push(await alice.client.sendRoomMessage({ room, text }));
      }

      const roomMembers = await bob.client.getRoomMembers({ room });
      const newest = await bob.client.getRoomHistory({ room, limit: 2 });
      const older = await bob.client.getRoomHistory({ room, beforeId: newest[0]!.id, limit: 2 });

      assert.deepEqual(roomMembers.map((m) => m.id).sort(), [alice.userName, bob.userName].sort());
      assert.deepEqual(newest.map((m) => m.text), ["c", "d"]);
      assert.deepEqual(older.map((m) => m.id), acks.slice(0, 2).map((a) => a.id));
      assert.ok(older.every((m) => m.timestamp instanceof Date));
      await assert.rejects(bob.client.getRoomHistory({ room, limit: 0 }), (error: unknown) => error instanceof HubError && /limit must be between/.test(error.message));
    });

    test("a direct message reaches the target and the sender, and not a bystander", async () => {
      const alice = await connect("alice", protocol);
      const bob = await connect("bob", protocol);
      const carol = await connect("carol", protocol);

      const ack = await alice.client.sendDirectMessage({ userId: bob.userName, text: "psst" });
      const toBob = await bob.events.ReceiveDirectMessage.next((m) => m.id === ack.id);
      const toAlice = await alice.events.ReceiveDirectMessage.next((m) => m.id === ack.id);
      const sentinel = await alice.client.sendMessage({ text: "sentinel" });
      await carol.events.ReceiveMessage.next((m) => m.id === sentinel.id);

      assert.equal(toBob.text, "psst");
      assert.equal(toAlice.sender.id, alice.userName);
      assert.equal(carol.events.ReceiveDirectMessage.items.length, 0);
    });

    test("bad input fails with the server's own message and the connection stays usable", async () => {
      const alice = await connect("alice", protocol);

      await assert.rejects(alice.client.sendMessage({ text: "   " }), (error: unknown) =>
        error instanceof HubError && error.method === "SendMessage" && error.message === "Message text must not be empty.");
      await assert.rejects(alice.client.joinRoom({ room: "no spaces allowed" }), (error: unknown) =>
        error instanceof HubError && error.message.startsWith("Invalid room name 'no spaces allowed'"));
      await assert.rejects(alice.client.sendRoomMessage({ room: names.room(), text: "hi" }), (error: unknown) =>
        error instanceof HubError && /not a member of room/.test(error.message));
      await assert.rejects(alice.client.sendDirectMessage({ userId: names.user("ghost"), text: "hi" }), (error: unknown) =>
        error instanceof HubError && /is not online/.test(error.message));
      const ack = await alice.client.sendMessage({ text: "still here" });

      assert.equal((await alice.events.ReceiveMessage.next((m) => m.id === ack.id)).text, "still here");
      assert.deepEqual(alice.client.joinedRooms, [], "a refused join leaves nothing to re-join");
      assert.equal(alice.client.state, "connected");
    });

    test("a message over the server's size limit fails at once with the server's reason, is not re-sent, and the client reconnects", async () => {
      const alice = await connect("alice", protocol);

      // Over Hubs:MaximumReceiveMessageSize (32 KiB): the server closes the connection saying why. Sending the same
      // message again after reconnecting would only close the next connection too.
      const error = await within(alice.client.sendMessage({ text: "x".repeat(40_000) }).then(
        () => assert.fail("the oversized message was accepted"),
        (rejected: unknown) => rejected,
      ), "the oversized send");
      await alice.events.reconnected.next();
      const ack = await within(alice.client.sendMessage({ text: "small again" }), "the send after reconnecting");
      await alice.events.ReceiveMessage.next((m) => m.id === ack.id);

      assert.ok(error instanceof HubError, `not a HubError: ${String(error)}`);
      assert.equal(error.method, "SendMessage");
      assert.equal(error.message, "Message too large: the limit is 32768 bytes per message.");
      assert.equal(alice.events.reconnecting.items.filter((e) => e.attempt === 1).length, 1, "one connection lost, not one per re-send");
      assert.equal(alice.client.state, "connected");
    });

    test("a repeated clientMessageId gets the original ack and is delivered once", async () => {
      const alice = await connect("alice", protocol);
      const bob = await connect("bob", protocol);
      const clientMessageId = `repeat-${Date.now()}-${protocol}`;

      const first = await alice.client.sendMessage({ text: "only once", clientMessageId });
      const second = await alice.client.sendMessage({ text: "only once", clientMessageId });
      const sentinel = await alice.client.sendMessage({ text: "sentinel" });
      await bob.events.ReceiveMessage.next((m) => m.id === sentinel.id);

      assert.equal(second.id, first.id);
      assert.equal(second.timestamp.getTime(), first.timestamp.getTime());
      assert.equal(bob.events.ReceiveMessage.items.filter((m) => m.text === "only once").length, 1);
    });
  });
}

test("start fails at once with 401 when the token is refused, without retrying", async () => {
  const client = new ChatClient({ serverUrl: server.url, accessTokenFactory: () => "not-a-token", logging: LogLevel.None });
  const attempts: number[] = [];
  client.on("connecting", (e) => attempts.push(e.attempt));

  await assert.rejects(client.start(), /401/);

  assert.deepEqual(attempts, [1]);
  assert.equal(client.state, "disconnected");
  await assert.rejects(client.sendMessage({ text: "hi" }), ConnectionClosedError);
});

test("calls before start() fail with ConnectionClosedError instead of hanging", async () => {
  const client = new ChatClient({ serverUrl: server.url, logging: LogLevel.None });

  await assert.rejects(client.joinRoom({ room: names.room() }), ConnectionClosedError);
  assert.deepEqual(client.joinedRooms, []);
});

test("a room joined while start() is still connecting: joinRoom returns its history, and no roomRejoined is raised", async () => {
  const bob = await connect("bob", "json");
  const room = names.room();
  await bob.client.joinRoom({ room });
  const acks = [await bob.client.sendRoomMessage({ room, text: "before alice" })];
  const alice = await chatSession(server.url, names.user("alice"), "json", { start: false });
  sessions.push(alice);

  const started = alice.client.start();
  const joined = await alice.client.joinRoom({ room }); // waits for the connection, as calls do
  await started;
  acks.push(await bob.client.sendRoomMessage({ room, text: "after alice joined" }));
  await alice.events.ReceiveRoomMessage.next((m) => m.id === acks[1]!.id);

  assert.deepEqual(joined.history.map((m) => m.id), [acks[0]!.id]);
  assert.deepEqual(joined.members.map((m) => m.id).sort(), [alice.userName, bob.userName].sort());
  assert.equal(alice.events.roomRejoined.items.length, 0, "a first join is not a re-join");
  assert.deepEqual(alice.events.ReceiveRoomMessage.items.map((m) => m.id), [acks[1]!.id], "history comes in the result, later messages as events");
  assert.deepEqual(alice.client.joinedRooms, [room]);
});
