import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { AdminApi, fetchDevToken, HubRoutes } from "../src/index.js";
import { names } from "../test/support/chat.js";
import { ServerProcess } from "../test/support/serverProcess.js";
import { launchChromium, newPage, screenshot } from "./browser.js";

// Two people in real Chromium on the chat page of a real server: alice on JSON, bob on MessagePack.
let server: ServerProcess;
let browser: Browser;
let alice: Page;
let bob: Page;
let adminPage: Page;
let adminApi: AdminApi;
const browserErrors: string[] = [];
const aliceName = names.user("alice");
const bobName = names.user("bob");
const room = names.room("lobby");
const topic = names.room("deploys");
/** Ends every message of SignalR's JSON protocol. */
const recordSeparator = "\u001e";

before(async () => {
  server = await ServerProcess.start();
  browser = await launchChromium();
  alice = await newPage(browser, browserErrors);
  bob = await newPage(browser, browserErrors);
  adminPage = await newPage(browser, browserErrors);
  const { accessToken } = await fetchDevToken(server.url, { userName: names.user("ops"), roles: ["admin"] });
  adminApi = new AdminApi(server.url, () => accessToken);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page: Page, userName: string, protocol: "json" | "messagepack"): Promise<void> {
  await page.goto(server.url + "/");
  await page.selectOption("[data-test=protocol]", protocol);
  await page.fill("[data-test=signin-name]", userName);
  await page.click("[data-test=signin-submit]");
  await page.waitForSelector("[data-test=state][data-state=connected]");
}

async function joinRoom(page: Page, name: string): Promise<void> {
  await page.fill("[data-test=join-room]", name);
  await page.click("[data-test=join-submit]");
  await page.waitForSelector(`[data-test=conversation-title]:text-is("# ${name}")`);
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill("[data-test=composer-text]", text);
  await page.click("[data-test=composer-send]");
}

/** Waits until the open conversation shows a message whose text is exactly `text`. */
async function waitForMessage(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (expected) => [...document.querySelectorAll("[data-test=message-text]")].some((node) => node.textContent === expected),
    text,
  );
}

async function openConversation(page: Page, title: string): Promise<void> {
  await page.click(`[data-test=conversation]:text-is("${title}")`);
  await page.waitForSelector(`[data-test=conversation-title]:text-is("${title}")`);
}

async function members(page: Page): Promise<string[]> {
  return page.$$eval("[data-test=members] li", (items) => items.map((item) => item.textContent ?? ""));
}

describe("chat page in Chromium", () => {
  test("two users sign in, join a room and see each other join", async () => {
    await signIn(alice, aliceName, "json");
    await signIn(bob, bobName, "messagepack");
    await joinRoom(alice, room);
    await joinRoom(bob, room);

    await alice.waitForSelector(`[data-test=note]:has-text("${bobName} joined.")`);
    await alice.waitForSelector(`[data-test=members] li[data-user="${bobName}"]`);
    assert.deepEqual((await members(alice)).sort(), [aliceName, bobName].sort());
    assert.deepEqual((await members(bob)).sort(), [aliceName, bobName].sort());
    assert.equal(await alice.textContent("[data-test=me]"), aliceName);
  });

  test("they exchange room messages", async () => {
    await send(alice, "hello bob");
    await waitForMessage(bob, "hello bob");
    await send(bob, "hi alice");
    await waitForMessage(alice, "hi alice");

    const aliceSees = await alice.$$eval("[data-test=message-text]", (nodes) => nodes.map((node) => node.textContent));
    assert.deepEqual(aliceSees, ["hello bob", "hi alice"]);
  });

  test("a direct message reaches the other page only", async () => {
    await bob.fill("[data-test=direct-user]", aliceName);
    await bob.click("[data-test=direct-open]");
    await bob.waitForSelector(`[data-test=conversation-title]:text-is("@ ${aliceName}")`);
    await send(bob, "just for you");
    await waitForMessage(bob, "just for you");

    await alice.waitForSelector(`[data-key="direct:${bobName}"] [data-test=unread]`);
    await openConversation(alice, `@ ${bobName}`);
    await waitForMessage(alice, "just for you");
    const roomTexts = await alice.$$eval("[data-test=message-text]", (nodes) => nodes.map((node) => node.textContent));
    assert.deepEqual(roomTexts, ["just for you"], "the direct conversation holds only the direct message");
    await openConversation(alice, `# ${room}`);
    await openConversation(bob, `# ${room}`);
  });

  test("a direct message sent from one tab is filed under its recipient in the sender's other tab", async () => {
    const bobElsewhere = await newPage(browser, browserErrors);
    try {
      await signIn(bobElsewhere, bobName, "json");
      await openConversation(bob, `@ ${aliceName}`);
      await send(bob, "sent from my first tab");
      await waitForMessage(bob, "sent from my first tab");

      await bobElsewhere.waitForSelector(`[data-key="direct:${aliceName}"]`);
      await openConversation(bobElsewhere, `@ ${aliceName}`);
      await waitForMessage(bobElsewhere, "sent from my first tab");
    } finally {
      await bobElsewhere.close();
      await openConversation(bob, `# ${room}`);
    }
  });

  test("a direct message relayed without its recipient (an older instance) is still filed under the recipient in the tab that sent it", async () => {
    const bobOldRelay = await newPage(browser, browserErrors);
    let stripped = 0;
    // Rewrites the chat hub's JSON frames the way an instance from before `recipientId` would have sent them.
    await bobOldRelay.routeWebSocket(new RegExp(HubRoutes.Chat), (socket) => {
      const server = socket.connectToServer();
      socket.onMessage((frame) => server.send(frame));
      server.onMessage((frame) => {
        if (typeof frame !== "string") {
          socket.send(frame);
          return;
        }
        socket.send(frame.split(recordSeparator).map((record) => {
          if (!record.includes(`"ReceiveDirectMessage"`)) {
            return record;
          }
          const invocation = JSON.parse(record) as { arguments: [{ recipientId?: string | null }] };
          delete invocation.arguments[0].recipientId;
          stripped++;
          return JSON.stringify(invocation);
        }).join(recordSeparator));
      });
    });
    try {
      await signIn(bobOldRelay, bobName, "json");
      await bobOldRelay.fill("[data-test=direct-user]", aliceName);
      await bobOldRelay.click("[data-test=direct-open]");
      await bobOldRelay.waitForSelector(`[data-test=conversation-title]:text-is("@ ${aliceName}")`);
      await send(bobOldRelay, "relayed by an old instance");
      await waitForMessage(bobOldRelay, "relayed by an old instance");
      assert.ok(stripped > 0, "the copy reached the page without recipientId");
    } finally {
      await bobOldRelay.close();
    }
  });

  test("a notification published through the REST API appears on both pages, a topic's only where followed", async () => {
    await alice.fill("[data-test=topic-name]", topic);
    await alice.click("[data-test=topic-follow]");
    await alice.waitForSelector(`[data-test=topics] li:text-is("${topic}")`);

    const forTopic = await adminApi.publishNotification({ topic, title: "Deploying", body: "only for followers" });
    const published = await adminApi.publishNotification({ title: "Heads up", body: "Deploy at 5 pm" });

    for (const page of [alice, bob]) {
      const item = await page.waitForSelector(`[data-test=notification][data-id="${published.id}"]`);
      assert.equal(await item.$eval("[data-test=notification-title]", (node) => node.textContent), "Heads up");
      assert.equal(await item.$eval("[data-test=notification-body]", (node) => node.textContent), "Deploy at 5 pm");
    }
    await alice.waitForSelector(`[data-test=notification][data-id="${forTopic.id}"]`);
    assert.equal(await bob.$(`[data-test=notification][data-id="${forTopic.id}"]`), null, "bob does not follow the topic");
  });

  test("a <script> tag in a message shows as text and does not run", async () => {
    const hostile = `<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true"><b>bold?</b>`;
    await send(alice, hostile);
    await waitForMessage(bob, hostile);

    const injected = await bob.$$eval("[data-test=messages] script, [data-test=messages] img, [data-test=messages] b", (nodes) => nodes.length);
    assert.equal(injected, 0, "no element was created from the message text");
    assert.equal(await bob.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);
    assert.equal(await alice.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);
  });

  test("switching alice to MessagePack reconnects her and keeps the room and its messages", async () => {
    await alice.selectOption("[data-test=protocol]", "messagepack");
    await alice.waitForSelector(`[data-test=note]:has-text("Switched to MessagePack.")`);
    await send(bob, "after the switch");
    await waitForMessage(alice, "after the switch");

    const texts = await alice.$$eval("[data-test=message-text]", (nodes) => nodes.map((node) => node.textContent));
    assert.equal(texts.filter((text) => text === "hello bob").length, 1, "nothing shown twice after re-joining");
    assert.deepEqual((await members(alice)).sort(), [aliceName, bobName].sort());
    const forTopic = await adminApi.publishNotification({ topic, title: "Still following" });
    await alice.waitForSelector(`[data-test=notification][data-id="${forTopic.id}"]`);
    assert.equal(await alice.$$eval("[data-test=notification-title]", (nodes) => nodes.some((node) => node.textContent === "Heads up")), true);
  });

  test("after a server restart both pages reconnect and re-join the room on their own", async () => {
    const sawReconnecting = [alice, bob].map((page) => page.waitForSelector("[data-test=state][data-state=reconnecting]", { timeout: 30_000 }));
    await server.restart();
    await Promise.all(sawReconnecting);
    for (const page of [alice, bob]) {
      await page.waitForSelector("[data-test=state][data-state=connected]", { timeout: 30_000 });
      await page.waitForSelector(`[data-test=note]:has-text("Re-joined after reconnecting")`);
    }
    await send(bob, "back after the restart");
    await waitForMessage(alice, "back after the restart");

    assert.deepEqual((await members(alice)).sort(), [aliceName, bobName].sort());
    await screenshot(alice, "chat");
  });

  test("the admin dashboard shows live numbers, a chart and who is online", async () => {
    await adminPage.goto(server.url + "/admin");
    await adminPage.fill("[data-test=signin-name]", names.user("ops"));
    await adminPage.click("[data-test=signin-submit]");
    await adminPage.waitForSelector("[data-test=state][data-state=connected]");
    for (const text of ["one", "two", "three"]) {
      await send(alice, text);
    }
    await waitForMessage(bob, "three");

    await adminPage.waitForSelector(`[data-test=users] tr[data-user="${aliceName}"]`);
    await adminPage.waitForSelector(`[data-test=users] tr[data-user="${bobName}"]`);
    await adminPage.waitForSelector(`[data-test=rooms] tr[data-room="${room}"]`);
    await adminPage.waitForFunction(() => Number(document.querySelector("[data-test=stat-total]")?.textContent) >= 3);
    await adminPage.waitForFunction(() => Number(document.querySelector("[data-test=stat-connections]")?.textContent) >= 2);
    const drawn = await adminPage.$eval("[data-test=chart]", (canvas) => {
      const context = (canvas as HTMLCanvasElement).getContext("2d")!;
      const pixels = context.getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) {
        painted += pixels[i]! > 0 ? 1 : 0;
      }
      return painted;
    });

    assert.ok(drawn > 100, `the chart has ${drawn} painted pixels`);
    assert.equal(await adminPage.textContent(`[data-test=rooms] tr[data-room="${room}"] td:nth-child(2)`), "2");
    await screenshot(adminPage, "admin");
  });

  test("an admin removes bob from the room: bob's page says so and alice sees him leave", async () => {
    await adminPage.click(`[data-test=rooms] tr[data-room="${room}"] [data-test=show-room]`);
    await adminPage.click(`[data-test=room-members] tr[data-user="${bobName}"] [data-test=remove-member]`);

    await bob.waitForSelector(`[data-test=note]:has-text("An administrator removed you from #${room}.")`);
    await alice.waitForSelector(`[data-test=note]:has-text("${bobName} left.")`);
    assert.equal(await bob.$(`[data-key="room:${room}"]`), null, "the room is gone from bob's conversations");
    assert.deepEqual(await members(alice), [aliceName]);
  });

  test("an admin disconnects bob: his page shows why and does not reconnect by itself", async () => {
    await adminPage.click(`[data-test=users] tr[data-user="${bobName}"] [data-test=disconnect-user]`);

    await bob.waitForSelector("[data-test=state][data-state=disconnected]");
    const banner = await bob.textContent("[data-test=banner-text]");
    assert.equal(banner, "Disconnected: An administrator closed your connection.");
    assert.ok(await bob.$("[data-test=reconnect]"), "a Reconnect button is offered");
    await adminPage.waitForSelector(`[data-test=feedback]:has-text("Disconnected ${bobName}")`);
  });

  test("the browser reported no script errors", () => {
    assert.deepEqual(browserErrors, []);
  });
});
