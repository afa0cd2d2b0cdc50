import { fetchDevToken, type HubProtocolName } from "../../src/index.js";

/** Tokens are renewed this long before they expire, so a reconnect never presents an expired one. */
const renewBeforeMs = 60_000;

/** A user signed in through the server's development token endpoint; hands out a fresh token on every (re)connect. */
export class SignIn {
  private constructor(
    readonly userName: string,
    readonly roles: string[],
    private accessToken: string,
    private expiresAt: Date,
  ) {}

  static async create(userName: string, roles: string[]): Promise<SignIn> {
    const response = await fetchDevToken("", { userName, roles });
    return new SignIn(userName, roles, response.accessToken, response.expiresAt);
  }

  async token(): Promise<string> {
    if (this.expiresAt.getTime() - Date.now() < renewBeforeMs) {
      const response = await fetchDevToken("", { userName: this.userName, roles: this.roles });
      this.accessToken = response.accessToken;
      this.expiresAt = response.expiresAt;
    }
    return this.accessToken;
  }
}

const protocolKey = "realtimehubs.protocol";

export function savedProtocol(): HubProtocolName {
  return localStorage.getItem(protocolKey) === "messagepack" ? "messagepack" : "json";
}

export function saveProtocol(protocol: HubProtocolName): void {
  localStorage.setItem(protocolKey, protocol);
}
