import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { names } from "../test/support/chat.js";
import { ServerProcess } from "../test/support/serverProcess.js";
import { launchChromium, newPage, screenshot } from "./browser.js";

// Two people in real Chromium on the chat page of a real server: alice on JSON, bob on MessagePack.
let server: ServerProcess;
let browser: Browser;
let alice: Page;
let bob: Page;
const browserErrors: string[] = [];
const aliceName = names.user("alice");
const bobName = names.user("bob");
const room = names.room("lobby");

before(async () => {
  server = await ServerProcess.start();
  browser = await launchChromium();
  alice = await newPage(browser, browserErrors);
  bob = await newPage(browser, browserErrors);
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

  test("a <script> tag in a message shows as text and does not run", async () => {
    const hostile = `<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true"><b>bold?</b>`;
    await send(alice, hostile);
    await waitForMessage(bob, hostile);

    const injected = await bob.$$eval("[data-test=messages] script, [data-test=messages] img, [data-test=messages] b", (nodes) => nodes.length);
    assert.equal(injected, 0, "no element was created from the message text");
    assert.equal(await bob.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);
    assert.equal(await alice.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);
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

  test("the browser reported no script errors", () => {
    assert.deepEqual(browserErrors, []);
  });
});
