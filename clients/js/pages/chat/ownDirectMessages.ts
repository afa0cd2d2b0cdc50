import type { ChatMessage } from "../../src/index.js";

/** How many sends and unplaced copies are remembered; older ones are forgotten first. */
const capacity = 100;

/**
 * Files my own direct messages under their recipient when the copy the server sends back lacks `recipientId`
 * (an instance from before that field relayed it, during a rolling deploy). The tab that sent the message knows the
 * recipient from its ack; the copy may come before or after that ack, so whichever comes second places it.
 * Other tabs of mine cannot know the recipient and leave such a copy out.
 */
export class OwnDirectMessages {
  private readonly recipientsBySentId = new Map<number, string>();
  private readonly waitingForAck = new Map<number, ChatMessage>();

  /** The recipient of my copy if known now; otherwise it is kept until {@link acked} names its recipient. */
  recipientOf(message: ChatMessage): string | undefined {
    const recipient = message.recipientId ?? this.recipientsBySentId.get(message.id);
    if (!recipient) {
      remember(this.waitingForAck, message.id, message);
    }
    return recipient ?? undefined;
  }

  /** Records the recipient of a send this tab made; returns my copy if it already arrived without one. */
  acked(id: number, recipient: string): ChatMessage | undefined {
    remember(this.recipientsBySentId, id, recipient);
    const waiting = this.waitingForAck.get(id);
    this.waitingForAck.delete(id);
    return waiting;
  }
}

function remember<T>(map: Map<number, T>, id: number, value: T): void {
  map.set(id, value);
  if (map.size > capacity) {
    // Maps iterate in insertion order: the first key is the oldest.
    map.delete(map.keys().next().value!);
  }
}
