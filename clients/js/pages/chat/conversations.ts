import type { ChatMessage } from "../../src/index.js";

export type ConversationKind = "everyone" | "room" | "direct";

/** A line in a conversation: a chat message, or a note from the page (joins, leaves, reconnects). */
export type Entry = { kind: "message"; message: ChatMessage } | { kind: "system"; text: string; at: Date };

export interface Conversation {
  key: string;
  kind: ConversationKind;
  /** Room name or the other user's id; empty for everyone. */
  name: string;
  entries: Entry[];
  unread: number;
}

/** Entries kept per conversation; older ones drop off so a long session stays light. */
const maxEntries = 500;

export function conversationKey(kind: ConversationKind, name = ""): string {
  return kind === "everyone" ? "everyone" : `${kind}:${name}`;
}

/** The page's conversations: everyone, joined rooms and direct chats, each de-duplicated by message id. */
export class Conversations {
  private readonly byKey = new Map<string, Conversation>();
  private readonly ids = new Map<string, Set<number>>();
  selectedKey = conversationKey("everyone");

  constructor() {
    this.ensure("everyone");
  }

  get selected(): Conversation {
    return this.byKey.get(this.selectedKey) ?? this.ensure("everyone");
  }

  get(key: string): Conversation | undefined {
    return this.byKey.get(key);
  }

  ensure(kind: ConversationKind, name = ""): Conversation {
    const key = conversationKey(kind, name);
    let conversation = this.byKey.get(key);
    if (!conversation) {
      conversation = { key, kind, name, entries: [], unread: 0 };
      this.byKey.set(key, conversation);
      this.ids.set(key, new Set());
    }
    return conversation;
  }

  /** Adds a message unless this conversation already shows it; returns whether it was added. */
  addMessage(conversation: Conversation, message: ChatMessage): boolean {
    const ids = this.ids.get(conversation.key)!;
    if (ids.has(message.id)) {
      return false;
    }
    ids.add(message.id);
    this.push(conversation, { kind: "message", message });
    return true;
  }

  addNote(conversation: Conversation, text: string): void {
    this.push(conversation, { kind: "system", text, at: new Date() });
  }

  remove(key: string): void {
    this.byKey.delete(key);
    this.ids.delete(key);
    if (this.selectedKey === key) {
      this.selectedKey = conversationKey("everyone");
    }
  }

  /** Everyone first, then rooms, then direct chats, each by name. */
  list(): Conversation[] {
    const order: Record<ConversationKind, number> = { everyone: 0, room: 1, direct: 2 };
    return [...this.byKey.values()].sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
  }

  private push(conversation: Conversation, entry: Entry): void {
    conversation.entries.push(entry);
    if (conversation.entries.length > maxEntries) {
      conversation.entries.splice(0, conversation.entries.length - maxEntries);
    }
    if (conversation.key !== this.selectedKey) {
      conversation.unread++;
    }
  }
}
