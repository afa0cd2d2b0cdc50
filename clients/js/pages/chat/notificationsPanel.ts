import type { HubProtocolName } from "../../src/index.js";
import type { SignIn } from "../common/signIn.js";

/** Notifications beside the chat. The notifications hub arrives with issue 5; until then the panel stays hidden. */
export class NotificationsPanel {
  async start(_signIn: SignIn, _protocol: HubProtocolName): Promise<void> {}

  async stop(): Promise<void> {}
}
