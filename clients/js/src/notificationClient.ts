import {
  HubRoutes,
  INotificationClientMethods,
  INotificationHubMethods,
  type Ack,
  type INotificationClient,
  type INotificationHub,
  type Notification,
  type ServerStats,
  type StreamStatsRequest,
  type SubscribeRequest,
  type UnsubscribeRequest,
} from "./contracts.generated.js";
import { HubClient, type CallOptions, type ConnectionEvents, type HubClientOptions } from "./hubClient.js";
import { IdWindow } from "./idWindow.js";
import { revive } from "./wire.js";

/** Server events of the notifications hub, named exactly as in `INotificationClient`. */
export type NotificationHubEvents = { [K in keyof INotificationClient]: Parameters<INotificationClient[K]>[0] };

/** Every event of {@link NotificationClient}. */
export interface NotificationClientEvents extends NotificationHubEvents, ConnectionEvents {
  /** A topic could not be subscribed again after a reconnect (it is forgotten). */
  topicLost: { topic: string; error: Error };
}

/** One typed method per `INotificationHub` method (camelCase), so a method added to the contract fails the build until exposed. */
type NotificationHubCalls = {
  [K in keyof INotificationHub as Uncapitalize<K & string>]: (
    request: Parameters<INotificationHub[K]>[0],
    options?: CallOptions,
  ) => ReturnType<INotificationHub[K]>;
};

/**
 * Typed client of the notifications hub (`/hubs/notifications`): topic subscriptions that survive reconnects
 * (each topic is subscribed again on the new connection), notifications raised once each, and the admin-only live
 * server statistics as an async iterable.
 */
export class NotificationClient extends HubClient<NotificationClientEvents> implements NotificationHubCalls {
  private readonly topics = new Set<string>();
  /** The newest subscribe still in flight per topic; an unsubscribe (or a newer subscribe) made since cancels its bookkeeping. */
  private readonly pendingSubscribes = new Map<string, object>();
  private readonly seen = new IdWindow();

  constructor(options: HubClientOptions = {}) {
    super(HubRoutes.Notifications, options);
    for (const [method, shape] of Object.entries(INotificationClientMethods)) {
      this.connection.on(method, (payload: unknown) => this.receive(method as keyof INotificationClient, revive(payload, shape)));
    }
  }

  /** Topics this client is subscribed to (and subscribes to again after reconnects). */
  get subscribedTopics(): string[] {
    return [...this.topics];
  }

  async subscribe(request: SubscribeRequest, options?: CallOptions): Promise<Ack> {
    const token = {};
    this.pendingSubscribes.set(request.topic, token);
    try {
      const ack = await this.call<Ack>("Subscribe", INotificationHubMethods.Subscribe, request, options);
      // The server handles a connection's calls in order (with Limits:MaxParallelInvocationsPerClient at its
      // default of 1): an unsubscribe sent meanwhile came after this subscribe.
      if (this.pendingSubscribes.get(request.topic) === token) {
        this.topics.add(request.topic);
      }
      return ack;
    } finally {
      if (this.pendingSubscribes.get(request.topic) === token) {
        this.pendingSubscribes.delete(request.topic);
      }
    }
  }

  unsubscribe(request: UnsubscribeRequest, options?: CallOptions): Promise<Ack> {
    this.pendingSubscribes.delete(request.topic);
    this.topics.delete(request.topic);
    return this.call("Unsubscribe", INotificationHubMethods.Unsubscribe, request, options);
  }

  /**
   * Live server statistics (admin role): a sample at once, then one per interval. Leave the `for await` loop to
   * stop it (the server's stream is cancelled). A lost connection ends it with an error: open a new one after
   * `reconnected`.
   */
  streamStats(request: StreamStatsRequest = {}): AsyncIterable<ServerStats> {
    return this.stream<ServerStats>("StreamStats", INotificationHubMethods.StreamStats, request);
  }

  protected override async recover(): Promise<void> {
    await Promise.all([...this.topics].map(async (topic) => {
      try {
        await this.invokeNow<Ack>("Subscribe", { topic } satisfies SubscribeRequest);
      } catch (error) {
        if (String(error).includes("HubException")) {
          this.topics.delete(topic);
          this.events.emit("topicLost", { topic, error: error instanceof Error ? error : new Error(String(error)) });
        }
      }
    }));
  }

  protected override onStopped(): void {
    this.topics.clear();
    this.pendingSubscribes.clear();
  }

  private receive(method: keyof INotificationClient, payload: unknown): void {
    if (method === "ReceiveNotification" && !this.seen.add((payload as Notification).id)) {
      return;
    }
    this.events.emit(method, payload as never);
  }
}
