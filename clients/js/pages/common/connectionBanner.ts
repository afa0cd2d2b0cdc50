import type { ConnectionEvents, Listener, Unsubscribe } from "../../src/index.js";
import { byTest, h, setText, show } from "./dom.js";

/**
 * Shows the connection state in the header pill and, while it is not connected, a banner saying what the
 * client is doing about it (reconnecting automatically, or gave up with a button to try again).
 */
/** Anything that raises the connection-state events (every typed client does). */
interface ConnectionStateSource {
  on<K extends keyof ConnectionEvents>(event: K, listener: Listener<ConnectionEvents[K]>): Unsubscribe;
}

export function bindConnectionState(client: ConnectionStateSource, retry: () => void): () => void {
  const pill = byTest("state");
  const banner = byTest("banner");
  let hideTimer: ReturnType<typeof setTimeout> | undefined;

  const render = (state: string, message: string | null, kind: "info" | "warn" | "error" | "ok", action?: HTMLElement) => {
    clearTimeout(hideTimer);
    pill.dataset.state = state;
    setText(pill, state);
    banner.dataset.kind = kind;
    banner.replaceChildren(...(message ? [h("span", { test: "banner-text" }, message)] : []), ...(action ? [action] : []));
    show(banner, message !== null);
  };

  const unsubscribe = [
    client.on("connecting", (e) => render("connecting", e.attempt > 1 ? `Connecting… (attempt ${e.attempt}: ${e.error?.message ?? "no answer"})` : null, "info")),
    client.on("connected", () => render("connected", null, "ok")),
    client.on("reconnecting", (e) =>
      render("reconnecting", `Connection lost — reconnecting automatically (attempt ${e.attempt}, next try in ${(e.delayMs / 1000).toFixed(1)} s)…`, "warn")),
    client.on("reconnected", () => {
      render("connected", "Reconnected.", "ok");
      hideTimer = setTimeout(() => show(banner, false), 4000);
    }),
    client.on("gaveUp", (e) => render("disconnected", `Gave up reconnecting after ${e.attempts} attempts.`, "error")),
    client.on("disconnected", (e) => {
      const button = h("button", { test: "reconnect", onClick: retry }, "Reconnect");
      render("disconnected", e.error ? `Disconnected: ${e.error.message}` : "Disconnected.", "error", button);
    }),
  ];
  return () => unsubscribe.forEach((off) => off());
}

/** Resets the header pill and hides the banner (after signing out). */
export function resetConnectionState(): void {
  const pill = byTest("state");
  pill.dataset.state = "disconnected";
  setText(pill, "signed out");
  show(byTest("banner"), false);
}
