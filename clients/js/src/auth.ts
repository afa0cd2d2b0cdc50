import { ApiRoutes, type TokenRequest, type TokenResponse } from "./contracts.generated.js";
import { revive } from "./wire.js";

/**
 * Asks the server's development token signer (`POST /api/auth/token`, Development only) for a token.
 * Throws with the server's validation message when the name or roles are refused.
 */
export async function fetchDevToken(serverUrl: string, request: TokenRequest): Promise<TokenResponse> {
  const response = await fetch(serverUrl.replace(/\/$/, "") + ApiRoutes.Token, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    throw new Error(`Sign-in failed (${response.status}): ${await problemText(response)}`);
  }
  return revive((await response.json()) as TokenResponse, "TokenResponse");
}

/** The human part of an RFC 7807 problem (validation errors first), or the raw body. */
export async function problemText(response: Response): Promise<string> {
  const body = await response.text();
  try {
    const problem = JSON.parse(body) as { title?: string; detail?: string; errors?: Record<string, string[]> };
    const errors = Object.values(problem.errors ?? {}).flat();
    return errors.length > 0 ? errors.join(" ") : (problem.detail ?? problem.title ?? body);
  } catch {
    return body || response.statusText;
  }
}
