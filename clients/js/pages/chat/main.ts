// The chat page (/): sign in, global chat, rooms, direct messages, notifications, connection state.
import { ChatClient, ReconnectPolicy, type ChatMessage, type HubProtocolName, type UserInfo } from "../../src/index.js";
import { bindConnectionState, resetConnectionState } from "../common/connectionBanner.js";
import { byTest, errorText, setText, show } from "../common/dom.js";
import { SignIn, savedProtocol, saveProtocol } from "../common/signIn.js";
import { conversationKey, Conversations, type Conversation, type ConversationKind } from "./conversations.js";
import { appendEntry, renderConversationList, renderMembers, renderPeople, renderSelected, type Person } from "./view.js";
import { NotificationsPanel } from "./notificationsPanel.js";
import { OwnDirectMessages } from "./ownDirectMessages.js";

class ChatPage {
  private client: ChatClient | null = null;
  private unbindState: (() => void) | null = null;
  private signIn: SignIn | null = null;
  private conversations = new Conversations();
  private readonly people = new Map<string, Person>();
  private readonly notifications = new NotificationsPanel();
  private ownDirects = new OwnDirectMessages();

  constructor() {
    const protocol = byTest<HTMLSelectElement>("protocol");
    protocol.value = savedProtocol();
    protocol.addEventListener("change", () => void this.switchProtocol(protocol.value as HubProtocolName));
    byTest<HTMLFormElement>("signin-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.signInAs(new FormData(event.target as HTMLFormElement).get("userName") as string);
    });
    byTest<HTMLFormElement>("join-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      void this.joinRoom((new FormData(form).get("room") as string).trim()).then((joined) => joined && form.reset());
    });
    byTest<HTMLFormElement>("direct-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      this.openDirect((new FormData(form).get("userId") as string).trim());
      form.reset();
    });
    byTest<HTMLFormElement>("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send(event.target as HTMLFormElement);
    });
    byTest("leave").addEventListener("click", () => void this.leaveSelectedRoom());
    byTest("sign-out").addEventListener("click", () => void this.signOut());
  }

  private get me(): string | undefined {
    return this.client?.user?.id;
  }

  private async signInAs(userName: string): Promise<void> {
    const error = byTest("signin-error");
    setText(error, "");
    try {
      this.signIn = await SignIn.create(userName, []);
      await this.connect(byTest<HTMLSelectElement>("protocol").value as HubProtocolName, []);
      show(byTest("signin"), false);
      show(byTest("chat"), true);
      show(byTest("sign-out"), true);
      setText(byTest("me"), userName);
      this.select(conversationKey("everyone"));
      byTest<HTMLInputElement>("composer-text").focus();
    } catch (failure) {
      setText(error, errorText(failure));
      await this.disconnect();
    }
  }

  private async signOut(): Promise<void> {
    await this.disconnect();
    await this.notifications.reset();
    this.signIn = null;
    this.conversations = new Conversations();
    this.ownDirects = new OwnDirectMessages();
    this.people.clear();
    resetConnectionState();
    show(byTest("chat"), false);
    show(byTest("sign-out"), false);
    show(byTest("signin"), true);
    setText(byTest("me"), "");
  }

  /** Builds a client for `protocol`, starts it and (after a protocol switch) joins the rooms again from where they were. */
  private async connect(protocol: HubProtocolName, rooms: { room: string; sinceId: number }[]): Promise<void> {
    const signIn = this.signIn!;
    const client = new ChatClient({ protocol, accessTokenFactory: () => signIn.token(), reconnect: ReconnectPolicy.forever() });
    this.client = client;
    this.unbindState = bindConnectionState(client, () => void client.start().catch(() => undefined));
    this.subscribe(client);
    await client.start();
    for (const { room, sinceId } of rooms) {
      await this.joinRoom(room, sinceId);
    }
    await this.notifications.start(signIn, protocol);
  }

  private async disconnect(): Promise<void> {
    this.unbindState?.();
    this.unbindState = null;
    const client = this.client;
    this.client = null;
    await client?.stop();
  }

  /** Reconnects with the other protocol; the rooms are joined again with the last id seen, so nothing is lost. */
  private async switchProtocol(protocol: HubProtocolName): Promise<void> {
    saveProtocol(protocol);
    const client = this.client;
    if (!client || !this.signIn) {
      return;
    }
    const rooms = client.joinedRooms.map((room) => ({ room, sinceId: client.room(room)?.lastSeenId ?? 0 }));
    await this.disconnect();
    await this.notifications.stop();
    try {
      await this.connect(protocol, rooms);
      this.note(this.conversations.selected, `Switched to ${protocol === "json" ? "JSON" : "MessagePack"}.`);
    } catch (failure) {
      setText(byTest("send-error"), errorText(failure));
    }
  }

  private subscribe(client: ChatClient): void {
    client.on("Welcome", (welcome) => this.seen(welcome.user, true));
    client.on("UserConnected", (e) => this.seen(e.user, true));
    client.on("UserDisconnected", (e) => this.seen(e.user, false));
    client.on("ReceiveMessage", (message) => this.show(this.conversations.ensure("everyone"), message));
    client.on("ReceiveRoomMessage", (message) => {
      const conversation = message.room ? this.conversations.get(conversationKey("room", message.room)) : undefined;
      if (conversation) {
        this.show(conversation, message);
      }
    });
    client.on("ReceiveDirectMessage", (message) => this.showDirect(message));
    client.on("UserJoined", (e) => {
      this.seen(e.user, true);
      this.roomNote(e.room, `${e.user.name} joined.`);
    });
    client.on("UserLeft", (e) => this.roomNote(e.room, `${e.user.name} left.`));
    client.on("roomRejoined", (e) => {
      const missed = e.missed.length === 1 ? "1 missed message" : `${e.missed.length} missed messages`;
      this.roomNote(e.room, `Re-joined after reconnecting; ${missed} delivered.`);
      if (e.historyTruncated) {
        this.roomNote(e.room, "Some messages from while you were away are no longer in the room's history.");
      }
    });
    client.on("roomLost", (e) => this.roomNote(e.room, `Could not re-join: ${e.error.message}`));
    client.on("removedFromRoom", (e) => {
      this.conversations.remove(conversationKey("room", e.room));
      this.select(this.conversations.selectedKey);
      this.note(this.conversations.selected, `An administrator removed you from #${e.room}.`);
    });
  }

  private async joinRoom(room: string, sinceId?: number): Promise<boolean> {
    const client = this.client;
    if (!client || !room) {
      return false;
    }
    setText(byTest("join-error"), "");
    try {
      const result = await client.joinRoom(sinceId === undefined ? { room } : { room, sinceId });
      const conversation = this.conversations.ensure("room", room);
      result.members.forEach((member) => this.seen(member, true));
      if (sinceId === undefined) {
        this.note(conversation, `You joined #${room}.`);
      }
      for (const message of result.history) {
        this.show(conversation, message);
      }
      if (result.historyTruncated) {
        this.note(conversation, "Some earlier messages are no longer in the room's history.");
      }
      this.select(conversation.key);
      return true;
    } catch (failure) {
      setText(byTest("join-error"), errorText(failure));
      return false;
    }
  }

  private async leaveSelectedRoom(): Promise<void> {
    const conversation = this.conversations.selected;
    if (conversation.kind !== "room" || !this.client) {
      return;
    }
    this.conversations.remove(conversation.key);
    this.select(conversationKey("everyone"));
    try {
      await this.client.leaveRoom({ room: conversation.name });
    } catch (failure) {
      setText(byTest("send-error"), errorText(failure));
    }
  }

  private openDirect(userId: string): void {
    if (userId && userId !== this.me) {
      this.select(this.conversations.ensure("direct", userId).key);
    }
  }

  private async send(form: HTMLFormElement): Promise<void> {
    const input = byTest<HTMLInputElement>("composer-text", form);
    const text = input.value;
    const client = this.client;
    const conversation = this.conversations.selected;
    if (!client || !text.trim()) {
      return;
    }
    input.value = "";
    setText(byTest("send-error"), "");
    try {
      switch (conversation.kind) {
        case "everyone":
          await client.sendMessage({ text });
          break;
        case "room":
          await client.sendRoomMessage({ room: conversation.name, text });
          break;
        case "direct": {
          const ack = await client.sendDirectMessage({ userId: conversation.name, text });
          const early = this.ownDirects.acked(ack.id, conversation.name);
          if (early) {
            this.show(this.conversations.ensure("direct", conversation.name), early);
          }
          break;
        }
      }
    } catch (failure) {
      setText(byTest("send-error"), `Not sent (“${text.length > 40 ? text.slice(0, 40) + "…" : text}”): ${errorText(failure)}`);
      if (!input.value) {
        input.value = text;
      }
    }
  }

  private showDirect(message: ChatMessage): void {
    // My own DMs come back to every tab of mine; they belong to the conversation with their recipient.
    const other = message.sender.id === this.me ? this.ownDirects.recipientOf(message) : message.sender.id;
    if (other) {
      this.show(this.conversations.ensure("direct", other), message);
    }
  }

  private show(conversation: Conversation, message: ChatMessage): void {
    this.seen(message.sender, true);
    if (!this.conversations.addMessage(conversation, message)) {
      return;
    }
    this.afterAdd(conversation);
  }

  private roomNote(room: string, text: string): void {
    const conversation = this.conversations.get(conversationKey("room", room));
    if (conversation) {
      this.note(conversation, text);
      if (conversation === this.conversations.selected) {
        renderMembers(this.client?.room(room)?.members ?? []);
      }
    }
  }

  private note(conversation: Conversation, text: string): void {
    this.conversations.addNote(conversation, text);
    this.afterAdd(conversation);
  }

  private afterAdd(conversation: Conversation): void {
    if (conversation === this.conversations.selected) {
      appendEntry(conversation.entries[conversation.entries.length - 1]!);
    }
    renderConversationList(this.conversations, (key) => this.select(key));
  }

  private select(key: string): void {
    this.conversations.selectedKey = key;
    const conversation = this.conversations.selected;
    conversation.unread = 0;
    renderConversationList(this.conversations, (next) => this.select(next));
    renderSelected(this.conversations, this.membersOf(conversation.kind, conversation.name));
  }

  private membersOf(kind: ConversationKind, name: string): UserInfo[] | null {
    return kind === "room" ? (this.client?.room(name)?.members ?? []) : null;
  }

  private seen(user: UserInfo, online: boolean): void {
    const known = this.people.get(user.id);
    if (known && known.online === online) {
      return;
    }
    this.people.set(user.id, { user, online });
    renderPeople(this.people.values(), this.me, (userId) => this.openDirect(userId));
  }
}

new ChatPage();
