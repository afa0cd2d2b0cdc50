import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { HubConnectionState, type HubConnection } from "@microsoft/signalr";
import { ConnectionClosedError, fetchDevToken } from "../src/index.js";
import { TokenGate, chatSession, names, type ChatSession } from "./support/chat.js";
import { within } from "./support/eventStream.js";
import { ServerProcess } from "./support/serverProcess.js";
import { TcpProxy } from "./support/tcpProxy.js";

// start() / stop() races against one real server: a stop never waits for a connection try that is stuck.
let server: ServerProcess;
const cleanup: (() => Promise<void>)[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

before(async () => {
  server = await ServerProcess.start();
  process.on("unhandledRejection", onUnhandled);
});

after(async () => {
  for (const step of cleanup.reverse()) {
    await step().catch(() => undefined);
  }
  process.off("unhandledRejection", onUnhandled);
  await server?.stop();
});

/** Alice's (re)connects ask a token gate for her token, so the test can hold a connection try where it is. */
async function gatedSession(options: Parameters<typeof chatSession>[3] = {}): Promise<{ alice: ChatSession; gate: TokenGate }> {
  const userName = names.user("alice");
  const gate = new TokenGate((await fetchDevToken(server.url, { userName })).accessToken);
  const alice = await chatSession(server.url, userName, "json", { accessTokenFactory: gate.factory, ...options });
  cleanup.push(async () => {
    gate.release();
    await alice.client.stop();
  });
  return { alice, gate };
}

test("stop() while start() waits for its access token returns at once, start() rejects, and a later start() connects", async () => {
  const { alice, gate } = await gatedSession({ start: false });
  gate.close();
  const starting = alice.client.start();
  await gate.held.next();

  await within(alice.client.stop(), "stop() while the token is pending");

  await assert.rejects(within(starting, "start()"), (error: unknown) => error instanceof ConnectionClosedError && /stopped/.test(error.message));
  assert.equal(alice.client.state, "disconnected");
  assert.equal(alice.events.disconnected.items.length, 1);
  gate.release();
  await within(alice.client.start(), "start() after the stop");
  await alice.events.Welcome.next();
  await alice.client.sendMessage({ text: "here after all" });
  assert.equal(alice.events.connected.items.length, 1);
  assert.deepEqual(alice.events.stateChanged.items.map((e) => e.state), ["connecting", "disconnected", "connecting", "connected"]);
  assert.deepEqual(unhandled, []);
});

test("stop() while a reconnect waits for its access token returns at once and nothing reconnects", async () => {
  const network = await TcpProxy.start(server.port);
  cleanup.push(() => network.close());
  const { alice, gate } = await gatedSession({ hubUrl: network.url });
  const pending = alice.client.sendMessage({ text: "never sent" });

  network.refuse(); // past the stateful reconnect's quick retry: SignalR's own reconnect asks for a token
  network.cutAll();
  await alice.events.reconnecting.next();
  gate.close(); // before the retry's delay is over
  network.refuse(false);
  await gate.held.next();
  await within(alice.client.stop(), "stop() while reconnecting");

  await assert.rejects(within(pending, "the call waiting for the reconnect"), ConnectionClosedError);
  assert.equal(alice.client.state, "disconnected");
  gate.release();
  await within(alice.client.start(), "start() after the stop");
  assert.equal(alice.events.reconnected.items.length, 0);
  assert.equal(alice.events.connected.items.length, 2);
  assert.deepEqual(unhandled, []);
});

test("a call in flight when stop() is called rejects with ConnectionClosedError saying the client was stopped", async () => {
  const { alice } = await gatedSession();
  const room = names.room();
  await alice.client.joinRoom({ room });

  const pending = alice.client.getRoomHistory({ room });
  await alice.client.stop();

  await assert.rejects(within(pending, "the call in flight"), (error: unknown) =>
    error instanceof ConnectionClosedError && error.message === "The client was stopped; call start() to connect again.");
  await assert.rejects(alice.client.sendMessage({ text: "after stop" }), (error: unknown) =>
    error instanceof ConnectionClosedError && /stopped/.test(error.message));
});

test("stop() from a reconnecting listener ends the reconnect for good", async () => {
  const network = await TcpProxy.start(server.port);
  cleanup.push(() => network.close());
  const { alice } = await gatedSession({ hubUrl: network.url });
  let stopping: Promise<void> | undefined;
  alice.client.on("reconnecting", () => {
    stopping ??= alice.client.stop(); // SignalR asks for the first delay before it counts as reconnecting
  });

  network.refuse();
  network.cutAll();
  await alice.events.disconnected.next();
  await within(stopping!, "stop()");

  const connection = (alice.client as unknown as { connection: HubConnection }).connection;
  assert.equal(connection.state, HubConnectionState.Disconnected, "SignalR is not reconnecting behind the client's back");
  assert.equal(alice.client.state, "disconnected");
  assert.deepEqual(alice.events.reconnecting.items.map((e) => e.attempt), [1]);
});
