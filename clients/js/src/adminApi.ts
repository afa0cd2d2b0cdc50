import {
  ApiRoutes,
  type ChatMessage,
  type DisconnectUserRequest,
  type DisconnectUserResult,
  type Notification,
  type PostRoomMessageRequest,
  type PublishNotificationRequest,
  type RoomMembers,
  type RoomOccupancy,
  type ServerStats,
  type UserConnections,
} from "./contracts.generated.js";
import { problemText } from "./auth.js";
import { revive } from "./wire.js";

/** A REST call the server refused: `status` is the HTTP status, `message` the server's reason. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Puts URL-escaped values into a route template such as `/api/rooms/{room}/messages`. */
export function fillRoute(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`No value for {${name}} in ${template}.`);
    }
    return encodeURIComponent(value);
  });
}

/**
 * The server's REST API for administrators and back-end services (admin role): online users, rooms, disconnecting
 * users, removing them from rooms, one stats sample, publishing notifications and posting into rooms.
 */
export class AdminApi {
  constructor(
    private readonly serverUrl: string,
    private readonly accessTokenFactory: () => string | Promise<string>,
  ) {}

  users(): Promise<UserConnections[]> {
    return this.request("GET", ApiRoutes.AdminUsers);
  }

  rooms(): Promise<RoomOccupancy[]> {
    return this.request("GET", ApiRoutes.AdminRooms);
  }

  roomMembers(room: string): Promise<RoomMembers> {
    return this.request("GET", fillRoute(ApiRoutes.AdminRoomMembers, { room }));
  }

  disconnectUser(userId: string, request: DisconnectUserRequest = {}): Promise<DisconnectUserResult> {
    return this.request("POST", fillRoute(ApiRoutes.AdminUserDisconnect, { userId }), request);
  }

  async removeFromRoom(room: string, userId: string): Promise<void> {
    await this.request("DELETE", fillRoute(ApiRoutes.AdminRoomMember, { room, userId }));
  }

  async stats(): Promise<ServerStats> {
    return revive(await this.request<ServerStats>("GET", ApiRoutes.AdminStats), "ServerStats");
  }

  async publishNotification(request: PublishNotificationRequest): Promise<Notification> {
    return revive(await this.request<Notification>("POST", ApiRoutes.Notifications, request), "Notification");
  }

  async postRoomMessage(room: string, request: PostRoomMessageRequest): Promise<ChatMessage> {
    return revive(await this.request<ChatMessage>("POST", fillRoute(ApiRoutes.RoomMessages, { room }), request), "ChatMessage");
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.serverUrl.replace(/\/$/, "") + path, {
      method,
      headers: {
        authorization: `Bearer ${await this.accessTokenFactory()}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      const reason = response.status === 401 ? "Not signed in." : response.status === 403 ? "The admin role is required." : await problemText(response);
      throw new ApiError(response.status, reason);
    }
    return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
  }
}
