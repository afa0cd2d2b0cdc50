import {
  HubRoutes,
  IChatClientMethods,
  IChatHubMethods,
  type Ack,
  type ChatMessage,
  type GetRoomHistoryRequest,
  type GetRoomMembersRequest,
  type IChatClient,
  type IChatHub,
  type JoinRoomRequest,
  type JoinRoomResult,
  type LeaveRoomRequest,
  type MessageAck,
  type SendDirectMessageRequest,
  type SendMessageRequest,
  type SendRoomMessageRequest,
  type UserInfo,
} from "./contracts.generated.js";
import { delay } from "./deferred.js";
import { HubError } from "./errors.js";
import { HubClient, type CallOptions, type ConnectionEvents, type HubClientOptions } from "./hubClient.js";
import { IdWindow } from "./idWindow.js";
import { RoomTracker, type RoomSnapshot } from "./roomTracker.js";
import { revive } from "./wire.js";
import { newClientMessageId } from "./wire.js";

/** Server events of the chat hub, named exactly as in `IChatClient`, with their payloads. */
export type ChatHubEvents = { [K in keyof IChatClient]: Parameters<IChatClient[K]>[0] };

/** After a reconnect: a room was joined again and what was missed in it was delivered. */
export interface RoomRejoined {
  room: string;
  members: UserInfo[];
  /** Messages sent while this client was away, oldest first; each was also raised as `ReceiveRoomMessage`. */
  missed: ChatMessage[];
  /** Some messages sent while away had already left the room's history window: there is a gap before `missed`. */
  historyTruncated: boolean;
}

/** Every event of {@link ChatClient}: the hub's events plus connection state and room recovery. */
export interface ChatClientEvents extends ChatHubEvents, ConnectionEvents {
  roomRejoined: RoomRejoined;
  /** A room could not be joined again after a reconnect (it is forgotten; join it again to retry). */
  roomLost: { room: string; error: Error };
  /** An administrator took this user out of a room: it is forgotten and not re-joined. */
  removedFromRoom: { room: string };
}

/** One typed method per `IChatHub` method (camelCase), so a method added to the contract fails the build until exposed. */
type ChatHubCalls = {
  [K in keyof IChatHub as Uncapitalize<K & string>]: (request: Parameters<IChatHub[K]>[0], options?: CallOptions) => ReturnType<IChatHub[K]>;
};

/** How often a send is retried while the server is still finishing an earlier try with the same clientMessageId. */
const inProgressRetries = 20;

/**
 * Typed client of the chat hub (`/hubs/chat`).
 *
 * - Calls take the contract's request records and return its results (timestamps as `Date` on both protocols).
 * - Events are the contract's client methods: `client.on("ReceiveRoomMessage", message => ...)`.
 * - Every send carries a `clientMessageId`; a send whose answer was lost to a disconnect is re-sent after the
 *   reconnect and the server answers with the original ack, so it is delivered once.
 * - Rooms survive reconnects: each room is joined again with the id of the last message seen in it, and the
 *   messages missed meanwhile are raised as `ReceiveRoomMessage`, in order and once (`roomRejoined` follows).
 */
export class ChatClient extends HubClient<ChatClientEvents> implements ChatHubCalls {
  private readonly rooms = new RoomTracker();
  private readonly globalSeen = new IdWindow();
  private readonly directSeen = new IdWindow();
  private me: UserInfo | null = null;

  constructor(options: HubClientOptions = {}) {
    super(HubRoutes.Chat, options);
    for (const [method, shape] of Object.entries(IChatClientMethods)) {
      this.connection.on(method, (payload: unknown) => this.receive(method as keyof IChatClient, revive(payload, shape)));
    }
  }

  /** The chat hub sends `Welcome` once it counts a connection as online; a limit may close the connection instead. */
  protected override get announcesAcceptance(): boolean {
    return true;
  }

  /** The signed-in user, from the server's `Welcome`. */
  get user(): UserInfo | null {
    return this.me;
  }

  /** Rooms this client is in (and re-joins after reconnects). */
  get joinedRooms(): string[] {
    return this.rooms.names;
  }

  /** Members and last seen id of a joined room. */
  room(room: string): RoomSnapshot | undefined {
    return this.rooms.snapshot(room);
  }

  sendMessage(request: SendMessageRequest, options?: CallOptions): Promise<MessageAck> {
    return this.send("SendMessage", request, options);
  }

  /**
   * Joins a room. The result's `history` also holds the live messages that arrived while joining, so every
   * message up to now is in it exactly once; later ones arrive as `ReceiveRoomMessage`.
   */
  async joinRoom(request: JoinRoomRequest, options?: CallOptions): Promise<JoinRoomResult> {
    const wasTracked = this.rooms.has(request.room);
    const sinceId = this.rooms.beginJoin(request.room);
    const body: JoinRoomRequest = request.sinceId != null || sinceId === undefined ? request : { ...request, sinceId };
    try {
      const result = await this.call<JoinRoomResult>("JoinRoom", IChatHubMethods.JoinRoom, body, options);
      return { ...result, history: this.rooms.completeJoin(result) };
    } catch (error) {
      this.deliverRoomMessages(this.rooms.abortJoin(request.room, !wasTracked));
      throw error;
    }
  }

  /** Leaves a room; from now on its messages are dropped and it is not re-joined. */
  leaveRoom(request: LeaveRoomRequest, options?: CallOptions): Promise<Ack> {
    this.rooms.forget(request.room);
    return this.call("LeaveRoom", IChatHubMethods.LeaveRoom, request, options);
  }

  sendRoomMessage(request: SendRoomMessageRequest, options?: CallOptions): Promise<MessageAck> {
    return this.send("SendRoomMessage", request, options);
  }

  sendDirectMessage(request: SendDirectMessageRequest, options?: CallOptions): Promise<MessageAck> {
    return this.send("SendDirectMessage", request, options);
  }

  getRoomMembers(request: GetRoomMembersRequest, options?: CallOptions): Promise<UserInfo[]> {
    return this.call("GetRoomMembers", IChatHubMethods.GetRoomMembers, request, options);
  }

  getRoomHistory(request: GetRoomHistoryRequest, options?: CallOptions): Promise<ChatMessage[]> {
    return this.call("GetRoomHistory", IChatHubMethods.GetRoomHistory, request, options);
  }

  /**
   * Re-joins every joined room after a reconnect (a new connection is in no group) and delivers what was missed. A
   * `joinRoom` still waiting for the connection (or re-sent after a loss) is not one of them: it gets its own result.
   */
  protected override async recover(): Promise<void> {
    await Promise.all(this.rooms.rejoinable.map((room) => this.rejoin(room)));
  }

  protected override onStopped(): void {
    this.rooms.clear();
  }

  private async rejoin(room: string): Promise<void> {
    const sinceId = this.rooms.beginJoin(room);
    try {
      const raw = await this.invokeNow<JoinRoomResult>("JoinRoom", { room, sinceId } satisfies JoinRoomRequest);
      const result = revive(raw, IChatHubMethods.JoinRoom.result);
      if (!this.rooms.has(room)) {
        return; // Left meanwhile: the LeaveRoom call, waiting for this recovery, takes it out on the server too.
      }
      const missed = this.rooms.completeJoin(result);
      this.deliverRoomMessages(missed);
      this.events.emit("roomRejoined", { room, members: result.members, missed, historyTruncated: result.historyTruncated });
    } catch (error) {
      if (String(error).includes("HubException")) {
        this.rooms.forget(room);
        this.events.emit("roomLost", { room, error: HubError.fromInvocation("JoinRoom", error) });
        return;
      }
      // The connection dropped again: keep the room and what was held; the next reconnect re-joins it.
      this.deliverRoomMessages(this.rooms.abortJoin(room, false));
    }
  }

  private async send(method: "SendMessage" | "SendRoomMessage" | "SendDirectMessage", request: { clientMessageId?: string | null }, options?: CallOptions): Promise<MessageAck> {
    const body = request.clientMessageId ? request : { ...request, clientMessageId: newClientMessageId() };
    for (let retry = 1; ; retry++) {
      try {
        return await this.call<MessageAck>(method, IChatHubMethods[method], body, options);
      } catch (error) {
        // After a reconnect the server may still be finishing the first try of this very send.
        if (error instanceof HubError && error.message.includes("still in progress") && retry <= inProgressRetries) {
          await delay(50 * retry, options?.signal);
          continue;
        }
        throw error;
      }
    }
  }

  private receive(method: keyof IChatClient, payload: unknown): void {
    switch (method) {
      case "Welcome":
        this.me = (payload as ChatHubEvents["Welcome"]).user;
        this.events.emit(method, payload as never);
        this.accept();
        return;
      case "ReceiveRoomMessage":
        this.deliverRoomMessages([this.rooms.live(payload as ChatMessage)]);
        return;
      case "ReceiveMessage":
        if (!this.globalSeen.add((payload as ChatMessage).id)) {
          return;
        }
        break;
      case "ReceiveDirectMessage":
        if (!this.directSeen.add((payload as ChatMessage).id)) {
          return;
        }
        break;
      case "UserJoined":
        this.rooms.userJoined(payload as ChatHubEvents["UserJoined"]);
        break;
      case "UserLeft": {
        const event = payload as ChatHubEvents["UserLeft"];
        if (event.user.id === this.me?.id && this.rooms.has(event.room)) {
          void this.confirmRemoval(event);
          return;
        }
        this.rooms.userLeft(event);
        break;
      }
    }
    this.events.emit(method, payload as never);
  }

  /**
   * Hearing that we left a room we are in means an administrator removed us, or it is a late event about an
   * earlier connection of ours (closed while this one joined). The room's member list tells which.
   */
  private async confirmRemoval(event: ChatHubEvents["UserLeft"]): Promise<void> {
    let members: UserInfo[];
    try {
      members = await this.invokeNow<UserInfo[]>("GetRoomMembers", { room: event.room } satisfies GetRoomMembersRequest);
    } catch {
      return; // The connection is in trouble; the reconnect re-joins the room and refreshes its members.
    }
    if (members.some((member) => member.id === this.me?.id)) {
      this.rooms.setMembers(event.room, members);
      return;
    }
    this.rooms.forget(event.room);
    this.events.emit("UserLeft", event);
    this.events.emit("removedFromRoom", { room: event.room });
  }

  private deliverRoomMessages(messages: (ChatMessage | null)[]): void {
    for (const message of messages) {
      if (message) {
        this.events.emit("ReceiveRoomMessage", message);
      }
    }
  }
}
