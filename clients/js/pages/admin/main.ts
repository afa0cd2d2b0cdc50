// The admin dashboard (/admin/): live numbers and a chart from the notifications hub's stats stream, the online
// users and rooms from the admin REST API, and the admin actions (disconnect a user, remove a user from a room,
// publish a notification).
import { AdminApi, NotificationClient, ReconnectPolicy, type HubProtocolName, type RoomOccupancy, type ServerStats, type UserConnections } from "../../src/index.js";
import { bindConnectionState, resetConnectionState } from "../common/connectionBanner.js";
import { byTest, errorText, h, setText, show } from "../common/dom.js";
import { SignIn, savedProtocol, saveProtocol } from "../common/signIn.js";
import { StatsChart, formatNumber } from "./chart.js";

class Dashboard {
  private client: NotificationClient | null = null;
  private api: AdminApi | null = null;
  private signIn: SignIn | null = null;
  private unbindState: (() => void) | null = null;
  private streamGeneration = 0;
  private refreshing = false;
  private openRoom: string | null = null;
  private readonly chart = new StatsChart(byTest<HTMLCanvasElement>("chart"));

  constructor() {
    const protocol = byTest<HTMLSelectElement>("protocol");
    protocol.value = savedProtocol();
    protocol.addEventListener("change", () => void this.switchProtocol(protocol.value as HubProtocolName));
    byTest<HTMLFormElement>("signin-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.signInAs(new FormData(event.target as HTMLFormElement).get("userName") as string);
    });
    byTest<HTMLFormElement>("publish-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.publish(event.target as HTMLFormElement);
    });
    byTest("sign-out").addEventListener("click", () => void this.signOut());
  }

  private async signInAs(userName: string): Promise<void> {
    setText(byTest("signin-error"), "");
    try {
      const signIn = await SignIn.create(userName, ["admin"]);
      this.signIn = signIn;
      this.api = new AdminApi("", () => signIn.token());
      await this.connect(byTest<HTMLSelectElement>("protocol").value as HubProtocolName);
      show(byTest("signin"), false);
      show(byTest("dashboard"), true);
      show(byTest("sign-out"), true);
      setText(byTest("me"), userName);
      await this.refreshLists();
    } catch (failure) {
      setText(byTest("signin-error"), errorText(failure));
      await this.disconnect();
    }
  }

  private async signOut(): Promise<void> {
    await this.disconnect();
    this.signIn = null;
    this.api = null;
    resetConnectionState();
    show(byTest("dashboard"), false);
    show(byTest("sign-out"), false);
    show(byTest("signin"), true);
    setText(byTest("me"), "");
  }

  private async connect(protocol: HubProtocolName): Promise<void> {
    const signIn = this.signIn!;
    const client = new NotificationClient({ protocol, accessTokenFactory: () => signIn.token(), reconnect: ReconnectPolicy.forever() });
    this.client = client;
    this.unbindState = bindConnectionState(client, () => void client.start().catch(() => undefined));
    // The stream ends with its connection; it is opened again on every (re)connect.
    client.on("connected", () => void this.readStats(client));
    client.on("reconnected", () => void this.readStats(client));
    await client.start();
  }

  private async disconnect(): Promise<void> {
    this.streamGeneration++;
    this.unbindState?.();
    this.unbindState = null;
    const client = this.client;
    this.client = null;
    await client?.stop();
  }

  private async switchProtocol(protocol: HubProtocolName): Promise<void> {
    saveProtocol(protocol);
    if (!this.client) {
      return;
    }
    await this.disconnect();
    await this.connect(protocol).catch((failure) => this.feedback(errorText(failure), true));
  }

  private async readStats(client: NotificationClient): Promise<void> {
    const generation = ++this.streamGeneration;
    try {
      for await (const sample of client.streamStats()) {
        if (generation !== this.streamGeneration) {
          break; // A newer stream (or sign-out) took over.
        }
        this.show(sample);
      }
    } catch (failure) {
      if (generation === this.streamGeneration && client.state === "connected") {
        this.feedback(`Live statistics stopped: ${errorText(failure)}`, true);
      }
    }
  }

  private show(sample: ServerStats): void {
    setText(byTest("stat-connections"), String(sample.connections));
    setText(byTest("stat-online"), String(sample.onlineUsers));
    setText(byTest("stat-rooms"), String(sample.rooms));
    setText(byTest("stat-rate"), formatNumber(sample.messagesPerSecond));
    setText(byTest("stat-total"), String(sample.messagesTotal));
    this.chart.add(sample);
    void this.refreshLists();
  }

  /** Users and rooms from the REST API, at most one refresh in flight (the stats stream drives it once a second). */
  private async refreshLists(): Promise<void> {
    const api = this.api;
    if (!api || this.refreshing) {
      return;
    }
    this.refreshing = true;
    try {
      const [users, rooms] = await Promise.all([api.users(), api.rooms()]);
      this.renderUsers(users);
      this.renderRooms(rooms);
      if (this.openRoom) {
        await this.showRoom(this.openRoom);
      }
    } catch (failure) {
      this.feedback(errorText(failure), true);
    } finally {
      this.refreshing = false;
    }
  }

  private renderUsers(users: UserConnections[]): void {
    byTest("users").replaceChildren(
      ...users.map((entry) =>
        h(
          "tr",
          { data: { user: entry.user.id } },
          h("td", {}, entry.user.name),
          h("td", {}, entry.connections),
          h("td", {}, h("button", { test: "disconnect-user", onClick: () => void this.disconnectUser(entry.user.id) }, "Disconnect")),
        ),
      ),
    );
  }

  private renderRooms(rooms: RoomOccupancy[]): void {
    byTest("rooms").replaceChildren(
      ...rooms.map((entry) =>
        h(
          "tr",
          { data: { room: entry.room } },
          h("td", {}, entry.room),
          h("td", {}, entry.members),
          h("td", {}, h("button", { test: "show-room", onClick: () => void this.showRoom(entry.room) }, "Members")),
        ),
      ),
    );
  }

  private async showRoom(room: string): Promise<void> {
    this.openRoom = room;
    const members = await this.api!.roomMembers(room);
    setText(byTest("room-panel-title"), `Members of ${room}`);
    byTest("room-members").replaceChildren(
      ...members.members.map((member) =>
        h(
          "tr",
          { data: { user: member.id } },
          h("td", {}, member.name),
          h("td", {}, h("button", { test: "remove-member", onClick: () => void this.removeFromRoom(room, member.id) }, "Remove from room")),
        ),
      ),
    );
    show(byTest("room-panel"), true);
  }

  private async disconnectUser(userId: string): Promise<void> {
    try {
      const result = await this.api!.disconnectUser(userId, {});
      this.feedback(`Disconnected ${userId} (${result.connections} connection${result.connections === 1 ? "" : "s"}).`);
      await this.refreshLists();
    } catch (failure) {
      this.feedback(errorText(failure), true);
    }
  }

  private async removeFromRoom(room: string, userId: string): Promise<void> {
    try {
      await this.api!.removeFromRoom(room, userId);
      this.feedback(`Removed ${userId} from ${room}.`);
      await this.refreshLists();
    } catch (failure) {
      this.feedback(errorText(failure), true);
    }
  }

  private async publish(form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const topic = (data.get("topic") as string).trim();
    try {
      const notification = await this.api!.publishNotification({
        title: data.get("title") as string,
        body: data.get("body") as string,
        topic: topic || null,
      });
      this.feedback(`Published “${notification.title}” to ${notification.topic ? `#${notification.topic}` : "everyone"}.`);
      form.reset();
    } catch (failure) {
      this.feedback(errorText(failure), true);
    }
  }

  private feedback(text: string, isError = false): void {
    const line = byTest("feedback");
    line.dataset.kind = isError ? "error" : "info";
    setText(line, text);
  }
}

new Dashboard();
