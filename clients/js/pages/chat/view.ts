import type { UserInfo } from "../../src/index.js";
import { byTest, formatTime, h, setText, show } from "../common/dom.js";
import type { Conversation, Conversations, Entry } from "./conversations.js";

/** Someone the page has seen, and whether they are online as far as it knows. */
export interface Person {
  user: UserInfo;
  online: boolean;
}

export function conversationTitle(conversation: Conversation): string {
  switch (conversation.kind) {
    case "everyone":
      return "# everyone";
    case "room":
      return `# ${conversation.name}`;
    case "direct":
      return `@ ${conversation.name}`;
  }
}

export function renderConversationList(conversations: Conversations, select: (key: string) => void): void {
  byTest("conversations").replaceChildren(
    ...conversations.list().map((conversation) =>
      h(
        "li",
        { data: { key: conversation.key, kind: conversation.kind }, className: conversation.key === conversations.selectedKey ? "selected" : "" },
        h("button", { test: "conversation", onClick: () => select(conversation.key) }, conversationTitle(conversation)),
        conversation.unread > 0 ? h("span", { className: "badge", test: "unread" }, conversation.unread) : null,
      ),
    ),
  );
}

export function renderSelected(conversations: Conversations, members: UserInfo[] | null): void {
  const conversation = conversations.selected;
  setText(byTest("conversation-title"), conversationTitle(conversation));
  show(byTest("leave"), conversation.kind === "room");
  byTest("messages").replaceChildren(...conversation.entries.map(renderEntry));
  scrollToEnd();
  renderMembers(members);
}

export function appendEntry(entry: Entry): void {
  byTest("messages").append(renderEntry(entry));
  scrollToEnd();
}

export function renderMembers(members: UserInfo[] | null): void {
  show(byTest("members-panel"), members !== null);
  byTest("members").replaceChildren(...(members ?? []).map((member) => h("li", { data: { user: member.id } }, member.name)));
}

export function renderPeople(people: Iterable<Person>, me: string | undefined, openDirect: (userId: string) => void): void {
  const others = [...people].filter((person) => person.user.id !== me).sort((a, b) => a.user.id.localeCompare(b.user.id));
  byTest("people").replaceChildren(
    ...others.map((person) =>
      h(
        "li",
        { data: { user: person.user.id }, className: person.online ? "online" : "offline" },
        h("span", { className: "dot", title: person.online ? "online" : "offline" }),
        h("button", { test: "open-direct", title: `Message ${person.user.name}`, onClick: () => openDirect(person.user.id) }, person.user.name),
      ),
    ),
  );
}

/** One line; every user-provided string goes in as text, never as HTML. */
function renderEntry(entry: Entry): HTMLLIElement {
  if (entry.kind === "system") {
    return h("li", { className: "note", test: "note" }, h("time", {}, formatTime(entry.at)), " ", entry.text);
  }
  const { message } = entry;
  return h(
    "li",
    { className: "message", test: "message", data: { id: String(message.id), sender: message.sender.id } },
    h("time", { attrs: { datetime: message.timestamp.toISOString() } }, formatTime(message.timestamp)),
    " ",
    h("strong", { className: "sender" }, message.sender.name),
    " ",
    h("span", { className: "text", test: "message-text" }, message.text),
  );
}

function scrollToEnd(): void {
  const list = byTest("messages");
  list.scrollTop = list.scrollHeight;
}
