import type { ChatMessage, JoinRoomResult, RoomEvent, UserInfo } from "./contracts.generated.js";
import { IdWindow } from "./idWindow.js";

/** What the client knows about a room this connection has joined. */
export interface RoomSnapshot {
  room: string;
  /** Users in the room, by id, kept up to date from UserJoined / UserLeft. */
  members: UserInfo[];
  /** Highest message id delivered in this room; a re-join asks for what came after it (0: none yet). */
  lastSeenId: number;
}

interface TrackedRoom {
  members: Map<string, UserInfo>;
  lastSeenId: number;
  seen: IdWindow;
  /** Live messages held back while a join or re-join is in flight, so history and live arrive in order. */
  held: ChatMessage[] | null;
  /** A join completed: the room is re-joined after a reconnect (a first join still in flight is re-sent instead). */
  joined: boolean;
}

/**
 * Per-room bookkeeping behind the chat client's exactly-once, in-order delivery: which rooms to re-join, the
 * last id seen in each, which ids were delivered, and live messages held while a (re-)join is in flight.
 */
export class RoomTracker {
  private readonly rooms = new Map<string, TrackedRoom>();

  get names(): string[] {
    return [...this.rooms.keys()];
  }

  /** Rooms to join again on a new connection: those whose join completed. */
  get rejoinable(): string[] {
    return [...this.rooms].filter(([, tracked]) => tracked.joined).map(([room]) => room);
  }

  has(room: string): boolean {
    return this.rooms.has(room);
  }

  snapshot(room: string): RoomSnapshot | undefined {
    const tracked = this.rooms.get(room);
    return tracked && { room, members: sortedMembers(tracked), lastSeenId: tracked.lastSeenId };
  }

  /** Starts holding live messages of `room`; returns the `sinceId` for a re-join (undefined for a first join). */
  beginJoin(room: string): number | undefined {
    const existing = this.rooms.get(room);
    if (existing) {
      existing.held ??= [];
      return existing.lastSeenId;
    }
    this.rooms.set(room, { members: new Map(), lastSeenId: 0, seen: new IdWindow(), held: [], joined: false });
    return undefined;
  }

  /**
   * Completes a (re-)join: merges the history with the live messages held meanwhile, drops what was already
   * delivered, and returns the rest oldest first (now counted as delivered).
   */
  completeJoin(result: JoinRoomResult): ChatMessage[] {
    const tracked = this.rooms.get(result.room);
    if (!tracked) {
      return []; // Left while joining.
    }
    const candidates = [...result.history, ...(tracked.held ?? [])].sort((a, b) => a.id - b.id);
    tracked.held = null;
    tracked.joined = true;
    tracked.members = new Map(result.members.map((member) => [member.id, member]));
    return candidates.filter((message) => this.markDelivered(tracked, message));
  }

  /** A join that failed: a room never joined before is forgotten; a re-join keeps its place for the next try. */
  abortJoin(room: string, firstJoin: boolean): ChatMessage[] {
    const tracked = this.rooms.get(room);
    if (!tracked) {
      return [];
    }
    if (firstJoin) {
      this.rooms.delete(room);
      return [];
    }
    const held = (tracked.held ?? []).sort((a, b) => a.id - b.id);
    tracked.held = null;
    return held.filter((message) => this.markDelivered(tracked, message));
  }

  forget(room: string): void {
    this.rooms.delete(room);
  }

  clear(): void {
    this.rooms.clear();
  }

  /** A live room message: returns it when it should be delivered now, or null (held, repeated, or not our room). */
  live(message: ChatMessage): ChatMessage | null {
    const tracked = message.room === null ? undefined : this.rooms.get(message.room);
    if (!tracked) {
      return null;
    }
    if (tracked.held) {
      tracked.held.push(message);
      return null;
    }
    return this.markDelivered(tracked, message) ? message : null;
  }

  userJoined(event: RoomEvent): void {
    this.rooms.get(event.room)?.members.set(event.user.id, event.user);
  }

  setMembers(room: string, members: UserInfo[]): void {
    const tracked = this.rooms.get(room);
    if (tracked) {
      tracked.members = new Map(members.map((member) => [member.id, member]));
    }
  }

  userLeft(event: RoomEvent): void {
    this.rooms.get(event.room)?.members.delete(event.user.id);
  }

  private markDelivered(tracked: TrackedRoom, message: ChatMessage): boolean {
    if (!tracked.seen.add(message.id)) {
      return false;
    }
    tracked.lastSeenId = Math.max(tracked.lastSeenId, message.id);
    return true;
  }
}

function sortedMembers(tracked: TrackedRoom): UserInfo[] {
  return [...tracked.members.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
