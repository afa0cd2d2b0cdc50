import assert from "node:assert/strict";
import { after, test } from "node:test";
import { LogLevel } from "../src/index.js";
import { chatSession, names, type ChatSession } from "./support/chat.js";
import { defaultTimeoutMs } from "./support/eventStream.js";
import { ServerProcess } from "./support/serverProcess.js";

/**
 * SignalR's log, kept to tell two things: whether the server sent its close message, and when the client has
 * answered every frame it received (with stateful reconnect it acknowledges them about a second later).
 */
class SignalRLog {
  readonly lines: string[] = [];
  private waiters: (() => void)[] = [];

  log(_level: LogLevel, message: string): void {
    this.lines.push(message);
    this.waiters.splice(0).forEach((wake) => wake());
  }

  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + defaultTimeoutMs;
    while (!condition()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`Not logged within ${defaultTimeoutMs} ms: ${what}.`);
      }
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** True once the client sent a frame after the last one it received: it has nothing left to say. */
  answeredEverything(): boolean {
    let lastSent = -1;
    let lastReceived = -1;
    this.lines.forEach((line, index) => {
      if (line.startsWith("(WebSockets transport) sending data.")) {
        lastSent = index;
      } else if (line.startsWith("(WebSockets transport) data received.")) {
        lastReceived = index;
      }
    });
    return lastSent > lastReceived;
  }
}

const sessions: ChatSession[] = [];
let server: ServerProcess | undefined;

after(async () => {
  await Promise.all(sessions.map((session) => session.client.stop()));
  await server?.stop();
});

test("a graceful stop sends a connected stateful client the hub's close message, the client retries and the server exits by itself", async () => {
  server = await ServerProcess.start();
  const log = new SignalRLog();
  const alice = await chatSession(server.url, names.user("alice"), "json", { logging: { log: (level, message) => log.log(level, message) } });
  sessions.push(alice);
  await alice.client.joinRoom({ room: names.room() });
  // Any frame from the client used to end the server's wait for it (its keep-alive ping 15 s later, at the latest):
  // stop an idle client, one that has acknowledged everything it got.
  await log.until(() => log.answeredEverything(), "the client sent a frame after the last one it received");

  const ended = await server.stop();

  // Without the fix the server waits for the client's next frame, and the helper kills it after 5 s.
  assert.deepEqual(ended, { code: 0, signal: null }, `the server exited by itself:\n${server.log}`);
  await log.until(() => log.lines.includes("Close message received from server."), "the client received the server's close message");
  const retry = await alice.events.reconnecting.next();
  assert.equal(retry.attempt, 1);
});
