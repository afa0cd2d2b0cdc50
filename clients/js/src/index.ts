export * from "./contracts.generated.js";
export { AdminApi, ApiError, fillRoute } from "./adminApi.js";
export { fetchDevToken, problemText } from "./auth.js";
export { ChatClient, type ChatClientEvents, type ChatHubEvents, type RoomRejoined } from "./chatClient.js";
export { ConnectionClosedError, HubError } from "./errors.js";
export type { Listener, Unsubscribe } from "./events.js";
export {
  HubClient,
  type CallOptions,
  type ConnectionEvents,
  type ConnectionState,
  type HubClientOptions,
  type HubProtocolName,
} from "./hubClient.js";
export { ReconnectPolicy, defaultReconnectOptions, type ReconnectOptions } from "./reconnectPolicy.js";
export { NotificationClient, type NotificationClientEvents, type NotificationHubEvents } from "./notificationClient.js";
export type { RoomSnapshot } from "./roomTracker.js";
export { HttpTransportType, LogLevel } from "@microsoft/signalr";
