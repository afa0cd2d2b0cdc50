import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AdminApi,
  ApiError,
  HubError,
  LogLevel,
  NotificationClient,
  SystemSender,
  fetchDevToken,
  type HubProtocolName,
  type NotificationClientEvents,
} from "../src/index.js";
import { chatSession, names, protocols, testReconnect, type ChatSession } from "./support/chat.js";
import { defaultTimeoutMs, record, type EventStream } from "./support/eventStream.js";
import { ServerProcess } from "./support/serverProcess.js";
import { TcpProxy } from "./support/tcpProxy.js";

// Notifications, the admin REST API and the live stats stream through the typed clients, against one real server.
let server: ServerProcess;
let admin: AdminApi;
const cleanup: (() => Promise<unknown>)[] = [];

before(async () => {
  server = await ServerProcess.start();
  const { accessToken } = await fetchDevToken(server.url, { userName: names.user("admin"), roles: ["admin"] });
  admin = new AdminApi(server.url, () => accessToken);
});

after(async () => {
  for (const step of cleanup.reverse()) {
    await step().catch(() => undefined);
  }
  await server?.stop();
});

type NotificationEvents = { [K in keyof NotificationClientEvents]: EventStream<NotificationClientEvents[K]> };

async function notifications(protocol: HubProtocolName, options: { roles?: string[]; hubUrl?: string } = {}) {
  const userName = names.user("reader");
  const { accessToken } = await fetchDevToken(server.url, { userName, roles: options.roles ?? [] });
  const client = new NotificationClient({
    serverUrl: options.hubUrl ?? server.url,
    protocol,
    accessTokenFactory: () => accessToken,
    reconnect: testReconnect,
    logging: LogLevel.None,
  });
  const events = record(client, ["ReceiveNotification", "Disconnecting", "reconnecting", "reconnected", "disconnected"]) as NotificationEvents;
  cleanup.push(() => client.stop());
  await client.start();
  return { userName, client, events };
}

async function chat(prefix: string, protocol: HubProtocolName): Promise<ChatSession> {
  const session = await chatSession(server.url, names.user(prefix), protocol);
  cleanup.push(() => session.client.stop());
  return session;
}

for (const protocol of protocols) {
  describe(`notifications over ${protocol}`, () => {
    test("a topic notification published through the REST API reaches only that topic's subscribers", async () => {
      const topic = names.room("topic");
      const subscriber = await notifications(protocol);
      const bystander = await notifications(protocol);
      await subscriber.client.subscribe({ topic });

      const published = await admin.publishNotification({ topic, title: "Deploy", body: "v2 is out" });
      const received = await subscriber.events.ReceiveNotification.next((n) => n.id === published.id);
      const everyone = await admin.publishNotification({ title: "sentinel" });
      await bystander.events.ReceiveNotification.next((n) => n.id === everyone.id);

      assert.equal(received.title, "Deploy");
      assert.equal(received.body, "v2 is out");
      assert.equal(received.topic, topic);
      assert.ok(received.timestamp instanceof Date);
      assert.equal(received.timestamp.getTime(), published.timestamp.getTime());
      assert.equal(bystander.events.ReceiveNotification.items.some((n) => n.id === published.id), false);
    });

    test("a notification without a topic reaches every notification client", async () => {
      const first = await notifications(protocol);
      const second = await notifications(protocol);

      const published = await admin.publishNotification({ title: "Maintenance at noon" });

      for (const reader of [first, second]) {
        assert.equal((await reader.events.ReceiveNotification.next((n) => n.id === published.id)).topic, null);
      }
    });

    test("bad topics are refused with the server's message and the connection stays usable", async () => {
      const reader = await notifications(protocol);

      await assert.rejects(reader.client.subscribe({ topic: "has spaces" }), (error: unknown) => error instanceof HubError && /topic/i.test(error.message));
      const ack = await reader.client.subscribe({ topic: names.room("ok") });

      assert.equal(ack.ok, true);
      assert.equal(reader.client.state, "connected");
    });

    test("unsubscribing while the subscribe is still in flight leaves the topic unsubscribed (it is not re-subscribed after a reconnect)", async () => {
      const reader = await notifications(protocol);
      const topic = names.room("topic");

      const subscribing = reader.client.subscribe({ topic });
      const unsubscribing = reader.client.unsubscribe({ topic });
      await Promise.all([subscribing, unsubscribing]);
      const again = names.room("topic");
      await reader.client.subscribe({ topic: again });

      assert.deepEqual(reader.client.subscribedTopics, [again], "the server did both in order: only the later topic is subscribed");
    });

    test("the admin stats stream delivers samples and stops when the reader leaves the loop", async () => {
      const watcher = await notifications(protocol, { roles: ["admin"] });
      const samples = [];
      for await (const sample of watcher.client.streamStats({ intervalMilliseconds: 100 })) {
        samples.push(sample);
        if (samples.length === 3) {
          break;
        }
      }
      // A second stream sees the first one gone: the server counts only itself.
      let streamsAfter = -1;
      for await (const sample of watcher.client.streamStats({ intervalMilliseconds: 100 })) {
        streamsAfter = sample.statsStreams;
        if (streamsAfter === 1) {
          break;
        }
      }

      assert.ok(samples.every((s) => s.timestamp instanceof Date && typeof s.messagesPerSecond === "number" && s.connections >= 0));
      assert.ok(samples[2]!.timestamp.getTime() > samples[0]!.timestamp.getTime());
      assert.equal(streamsAfter, 1);
    });

    test("the stats stream is refused without the admin role", async () => {
      const reader = await notifications(protocol);

      await assert.rejects(async () => {
        for await (const sample of reader.client.streamStats()) {
          assert.fail(`a non-admin got a sample: ${JSON.stringify(sample)}`);
        }
      }, (error: unknown) => error instanceof HubError && error.method === "StreamStats" && /unauthorized/i.test(error.message));
      assert.equal(reader.client.state, "connected");
    });

    test("a room post through the REST API reaches the room's members from the system sender", async () => {
      const alice = await chat("alice", protocol);
      const room = names.room();
      await alice.client.joinRoom({ room });

      const posted = await admin.postRoomMessage(room, { text: "Server maintenance in 5 minutes" });
      const received = await alice.events.ReceiveRoomMessage.next((m) => m.id === posted.id);

      assert.deepEqual(received.sender, { id: SystemSender.Id, name: SystemSender.Name });
      assert.equal(received.text, "Server maintenance in 5 minutes");
      assert.equal(alice.client.room(room)?.lastSeenId, posted.id);
    });
  });
}

describe("admin actions", () => {
  test("the REST API refuses publishing without a token (401) and without the admin role (403)", async () => {
    const { accessToken } = await fetchDevToken(server.url, { userName: names.user("mallory") });

    await assert.rejects(new AdminApi(server.url, () => "").publishNotification({ title: "x" }), (e: unknown) => e instanceof ApiError && e.status === 401);
    await assert.rejects(new AdminApi(server.url, () => accessToken).publishNotification({ title: "x" }), (e: unknown) => e instanceof ApiError && e.status === 403);
    await assert.rejects(admin.publishNotification({ title: "   " }), (e: unknown) => e instanceof ApiError && e.status === 400 && /title/i.test(e.message));
  });

  test("online users and rooms are listed with their counts", async () => {
    const alice = await chat("alice", "json");
    const room = names.room();
    await alice.client.joinRoom({ room });

    const users = await admin.users();
    const rooms = await admin.rooms();
    const members = await admin.roomMembers(room);

    assert.equal(users.find((u) => u.user.id === alice.userName)?.connections, 1);
    assert.equal(rooms.find((r) => r.room === room)?.members, 1);
    assert.deepEqual(members.members.map((m) => m.id), [alice.userName]);
  });

  test("a user removed from a room is told, forgets the room and the others see them leave", async () => {
    const alice = await chat("alice", "messagepack");
    const bob = await chat("bob", "json");
    const room = names.room();
    await alice.client.joinRoom({ room });
    await bob.client.joinRoom({ room });

    await admin.removeFromRoom(room, bob.userName);
    const removed = await bob.events.removedFromRoom.next();
    const left = await alice.events.UserLeft.next((e) => e.room === room);

    assert.equal(removed.room, room);
    assert.equal(left.user.id, bob.userName);
    assert.deepEqual(bob.client.joinedRooms, []);
    await assert.rejects(bob.client.sendRoomMessage({ room, text: "still here?" }), (e: unknown) => e instanceof HubError && /not a member/.test(e.message));
  });

  test("a disconnected user is told why and the client does not reconnect on its own", async () => {
    const network = await TcpProxy.start(server.port); // the proxy only proves no new connection is attempted
    cleanup.push(() => network.close());
    const bob = await chatSession(server.url, names.user("bob"), "json", { hubUrl: network.url });
    cleanup.push(() => bob.client.stop());

    const result = await admin.disconnectUser(bob.userName, { reason: "Please take a break." });
    const notice = await bob.events.Disconnecting.next();
    const disconnected = await bob.events.disconnected.next();

    assert.equal(result.connections, 1);
    assert.equal(notice.reason, "Please take a break.");
    assert.equal(disconnected.notice?.reason, "Please take a break.");
    assert.equal(disconnected.error?.message, "Please take a break.");
    assert.equal(bob.events.reconnecting.items.length, 0);
    assert.equal(bob.client.state, "disconnected");
    await untilNotConnected(bob.userName);
  });

  test("topic subscriptions are renewed after a reconnect with a new connection", async () => {
    const network = await TcpProxy.start(server.port);
    cleanup.push(() => network.close());
    const reader = await notifications("messagepack", { hubUrl: network.url });
    const topic = names.room("topic");
    await reader.client.subscribe({ topic });

    network.refuse(); // the stateful reconnect's quick retry fails too, so this is a new connection
    network.cutAll();
    await reader.events.reconnecting.next();
    network.refuse(false);
    await reader.events.reconnected.next();
    const published = await admin.publishNotification({ topic, title: "after the reconnect" });

    assert.equal((await reader.events.ReceiveNotification.next((n) => n.id === published.id)).title, "after the reconnect");
    assert.deepEqual(reader.client.subscribedTopics, [topic]);
  });
});

/**
 * The client sees its socket close before the server has finished letting go of the connection; the admin API's
 * 404 ("no open connections") is the server's own word that it has.
 */
async function untilNotConnected(userId: string): Promise<void> {
  const deadline = Date.now() + defaultTimeoutMs;
  for (;;) {
    try {
      await admin.disconnectUser(userId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        return;
      }
      throw error;
    }
    assert.ok(Date.now() < deadline, `the server still held a connection of ${userId} after ${defaultTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
