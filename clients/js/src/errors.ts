/**
 * The server refused a call (a `HubException` on the server): bad input, not a member, user offline...
 * The connection is fine and other calls go on; `message` is the server's human-readable reason.
 * Also raised when the server closes the connection with an error while the call is in flight (e.g. "Message too
 * large: the limit is 32768 bytes per message."): the call is not re-sent, as that would only close the next
 * connection too, and the client reconnects by itself.
 */
export class HubError extends Error {
  override readonly name = "HubError";

  constructor(
    /** The hub method that failed, e.g. `SendRoomMessage`. */
    readonly method: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Wraps what `HubConnection.invoke` threw, keeping only the server's own message. */
  static fromInvocation(method: string, error: unknown): HubError {
    const raw = error instanceof Error ? error.message : String(error);
    // The server sends "An unexpected error occurred invoking 'X' on the server. HubException: <reason>"; a close
    // with an error reads "Server returned an error on close: Connection closed with an error. HubException: <reason>".
    const reason = /HubException: ([\s\S]*)$/.exec(raw)?.[1] ?? raw;
    return new HubError(method, reason, { cause: error });
  }
}

/** The client is not connected and will not be without a new `start()`: it was stopped, never started, or gave up reconnecting. */
export class ConnectionClosedError extends Error {
  override readonly name = "ConnectionClosedError";
}
