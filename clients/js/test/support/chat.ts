import { randomUUID } from "node:crypto";
import {
  ChatClient,
  LogLevel,
  fetchDevToken,
  type ChatClientEvents,
  type HubClientOptions,
  type HubProtocolName,
} from "../../src/index.js";
import { EventStream, record } from "./eventStream.js";

export const protocols: HubProtocolName[] = ["json", "messagepack"];

/** Unique names, so tests sharing one server never see each other's events. */
export const names = {
  user: (prefix = "user") => `${prefix}-${randomUUID().slice(0, 8)}`,
  room: (prefix = "room") => `${prefix}-${randomUUID().slice(0, 8)}`,
};

const recorded: (keyof ChatClientEvents)[] = [
  "Welcome", "UserConnected", "UserDisconnected", "ReceiveMessage", "ReceiveRoomMessage", "ReceiveDirectMessage",
  "UserJoined", "UserLeft", "Disconnecting", "roomRejoined", "roomLost", "removedFromRoom", "stateChanged", "connecting", "connected", "reconnecting",
  "reconnected", "gaveUp", "disconnected", "error",
];

export type ChatEvents = { [K in keyof ChatClientEvents]: EventStream<ChatClientEvents[K]> };

/** A chat client of a real server with every event recorded. */
export interface ChatSession {
  userName: string;
  client: ChatClient;
  events: ChatEvents;
}

/** Fast retries for tests; the defaults (1 s first delay) are checked by the policy's own tests. */
export const testReconnect = { maxAttempts: Infinity, initialDelayMs: 50, maxDelayMs: 500, jitter: 0.5 };

/**
 * Signs `userName` in through the server's dev token endpoint (as a user would) and builds a client;
 * `start` (default) also connects and waits for the Welcome.
 */
export async function chatSession(
  serverUrl: string,
  userName: string,
  protocol: HubProtocolName,
  options: Partial<HubClientOptions> & { start?: boolean; hubUrl?: string; roles?: string[] } = {},
): Promise<ChatSession> {
  const { accessToken } = await fetchDevToken(serverUrl, { userName, roles: options.roles ?? [] });
  const client = new ChatClient({
    serverUrl: options.hubUrl ?? serverUrl,
    protocol,
    accessTokenFactory: () => accessToken,
    reconnect: testReconnect,
    logging: LogLevel.None,
    ...options,
  });
  const session = { userName, client, events: record(client, recorded) as ChatEvents };
  if (options.start ?? true) {
    await client.start();
    await session.events.Welcome.next();
  }
  return session;
}

/** A gate for an access token factory: while closed, (re)connect attempts wait in it. */
export class TokenGate {
  private open = true;
  private waiters: (() => void)[] = [];
  /** One item each time a (re)connect attempt starts waiting in the closed gate. */
  readonly held = new EventStream<void>("token held at the gate");

  constructor(private readonly token: string) {}

  close(): void {
    this.open = false;
  }

  release(): void {
    this.open = true;
    this.waiters.splice(0).forEach((resolve) => resolve());
  }

  readonly factory = async (): Promise<string> => {
    if (!this.open) {
      const released = new Promise<void>((resolve) => this.waiters.push(resolve));
      this.held.push();
      await released;
    }
    return this.token;
  };
}
