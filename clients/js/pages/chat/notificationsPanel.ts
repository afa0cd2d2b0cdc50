import { LogLevel, NotificationClient, ReconnectPolicy, type HubProtocolName, type Notification } from "../../src/index.js";
import { byTest, errorText, formatTime, h, setText, show } from "../common/dom.js";
import type { SignIn } from "../common/signIn.js";

/** Notifications beside the chat: everything published to everyone, plus the topics the user follows. */
export class NotificationsPanel {
  private client: NotificationClient | null = null;
  /** Followed topics, kept across a protocol switch (a new client subscribes to them again). */
  private readonly followed = new Set<string>();

  constructor() {
    byTest<HTMLFormElement>("topic-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      void this.follow((new FormData(form).get("topic") as string).trim()).then((ok) => ok && form.reset());
    });
  }

  async start(signIn: SignIn, protocol: HubProtocolName): Promise<void> {
    const client = new NotificationClient({ protocol, accessTokenFactory: () => signIn.token(), reconnect: ReconnectPolicy.forever(), logging: LogLevel.Error });
    this.client = client;
    client.on("ReceiveNotification", (notification) => this.show(notification));
    client.on("topicLost", (e) => setText(byTest("topic-error"), `No longer following ${e.topic}: ${e.error.message}`));
    show(byTest("notifications-panel"), true);
    try {
      await client.start();
      for (const topic of this.followed) {
        await client.subscribe({ topic });
      }
    } catch (failure) {
      setText(byTest("topic-error"), `Notifications unavailable: ${errorText(failure)}`);
    }
    this.renderTopics();
  }

  /** Disconnects; what was shown and followed stays for the next `start` (a protocol switch). */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.stop();
  }

  /** Forgets everything (signing out). */
  async reset(): Promise<void> {
    await this.stop();
    this.followed.clear();
    byTest("notifications").replaceChildren();
    this.renderTopics();
    show(byTest("notifications-panel"), false);
  }

  private async follow(topic: string): Promise<boolean> {
    setText(byTest("topic-error"), "");
    if (!this.client || !topic) {
      return false;
    }
    try {
      await this.client.subscribe({ topic });
      this.followed.add(topic);
      this.renderTopics();
      return true;
    } catch (failure) {
      setText(byTest("topic-error"), errorText(failure));
      return false;
    }
  }

  private renderTopics(): void {
    byTest("topics").replaceChildren(...[...this.followed].map((topic) => h("li", {}, topic)));
  }

  private show(notification: Notification): void {
    byTest("notifications").prepend(
      h(
        "li",
        { test: "notification", data: { id: String(notification.id) } },
        h("strong", { test: "notification-title" }, notification.title),
        notification.body ? h("span", { test: "notification-body" }, notification.body) : null,
        h("span", { className: "topic" }, `${notification.topic ? `#${notification.topic} · ` : ""}${formatTime(notification.timestamp)}`),
      ),
    );
  }
}
