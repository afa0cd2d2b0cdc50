import {
  HttpError,
  HttpTransportType,
  HubConnection,
  HubConnectionBuilder,
  HubConnectionState,
  JsonHubProtocol,
  LogLevel,
  type ILogger,
  type RetryContext,
} from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import type { DisconnectNotice, HubMethodInfo } from "./contracts.generated.js";
import { Deferred, delay, withSignal } from "./deferred.js";
import { ConnectionClosedError, HubError } from "./errors.js";
import { TypedEvents, type Listener, type Unsubscribe } from "./events.js";
import { ReconnectPolicy, type ReconnectOptions } from "./reconnectPolicy.js";
import { revive } from "./wire.js";

/** The wire protocol; both carry the same camelCase fields. */
export type HubProtocolName = "json" | "messagepack";

/** The connection as the user sees it. */
export type ConnectionState = "disconnected" | "connecting" | "connected" | "reconnecting";

/** Connection-state events every typed client raises (the moments Socket.IO calls connect, disconnect, reconnect_attempt, reconnect, reconnect_failed). */
export interface ConnectionEvents {
  /** Every change of {@link HubClient.state}. */
  stateChanged: { state: ConnectionState; previous: ConnectionState };
  /** Before each try of `start()`; attempt 1 is the first try, the next ones are retries. */
  connecting: { attempt: number; error?: Error };
  /** `start()` succeeded: the server accepted the connection (the chat hub's `Welcome` came) and rooms are re-joined. */
  connected: { connectionId: string | null };
  /**
   * The connection was lost; retry `attempt` starts in `delayMs`. Also after a retry the server refused without its
   * `Disconnecting` notice (e.g. a connection limit still counting the lost connection): `error` has its reason.
   */
  reconnecting: { attempt: number; delayMs: number; error?: Error };
  /** Back after a loss, accepted by the server (the chat hub's `Welcome` came), with the client's own recovery (e.g. room re-join) done. */
  reconnected: { connectionId: string | null };
  /** The reconnect policy ran out of attempts (refused reconnects count too); `disconnected` follows. */
  gaveUp: { attempts: number; error?: Error };
  /** Closed: by `stop()`, after giving up, or by the server on purpose (`notice` then says why; no reconnect follows). */
  disconnected: { error?: Error; notice?: DisconnectNotice };
  /** Something went wrong in the background (e.g. a room could not be re-joined); the connection goes on. */
  error: { error: Error; context: string };
}

/** How a typed client reaches the server. */
export interface HubClientOptions {
  /** Base URL of the server, e.g. `http://localhost:5000`; empty (the default) means the page's own origin. */
  serverUrl?: string;
  /** Returns the access token; called for every (re)connect, so it may refresh it. */
  accessTokenFactory?: () => string | Promise<string>;
  /** `json` (default) or `messagepack`. */
  protocol?: HubProtocolName;
  /** Transports to allow; all by default (WebSockets first). */
  transport?: HttpTransportType;
  /** Retry policy for the first connect and for reconnects; defaults as in the .NET client. */
  reconnect?: ReconnectOptions | ReconnectPolicy;
  /** Keep the connection id across short network drops (the server allows it). Default `true`. */
  statefulReconnect?: boolean;
  /** SignalR's log level or logger. Default `LogLevel.Warning`. */
  logging?: LogLevel | ILogger;
  /**
   * How long `start()` and each reconnect wait, once the connection is open, for the server to accept it (the chat
   * hub's `Welcome`); past that the connection is closed and `start()` rejects, or, while reconnecting, the attempt
   * counts as failed and is retried per the policy. Default 15 000 ms.
   */
  acceptTimeoutMs?: number;
}

/** Per-call options. */
export interface CallOptions {
  /** Gives up waiting (for a reconnect or the answer) when aborted; the server may still have acted. */
  signal?: AbortSignal;
}

/** A call that loses its connection this often in a row fails instead of trying again (e.g. it is what kills the connection). */
const maxResends = 5;

/** How long the server has, by default, to accept an open connection. */
const defaultAcceptTimeoutMs = 15_000;

const lostConnectionMessages = ["underlying connection being closed", "connection being closed", "Connection closed", "connection was stopped"];

/**
 * The connection machinery shared by the typed clients: retries of the first connect, reconnects with the
 * policy, state events, a gate that holds calls while reconnecting and re-sends a call whose answer was lost.
 */
export abstract class HubClient<Events extends ConnectionEvents> {
  protected readonly connection: HubConnection;
  protected readonly events: TypedEvents<Events>;
  private readonly policy: ReconnectPolicy;
  private currentState: ConnectionState = "disconnected";
  private ready = new Deferred();
  private generation = 0;
  private stopController: AbortController | null = null;
  private startPromise: Promise<void> | null = null;
  private gaveUp: { attempts: number; error?: Error } | null = null;
  private closingNotice: DisconnectNotice | null = null;
  private readonly acceptTimeoutMs: number;
  /** Settles for the newest connection try: accepted by the server, or closed first. */
  private accepted = new Deferred();
  /** Why the client itself closed a connection the server had not accepted in time. */
  private notAccepted: Error | null = null;
  /** The newest reconnect attempt of the current loss, so a retry after a refusal carries on counting. */
  private reconnectAttempt = 0;
  /** The client's own retry of a refused reconnect is running (SignalR does not retry such a close). */
  private retryingRefusal = false;
  /** `start()` lost its first connection before the server accepted it and waits for SignalR's reconnect instead. */
  private startingThroughReconnect = false;
  /** SignalR's stop after `stop()`, until it is done: a new `start()` waits for it, and its close is not reported again. */
  private stopping: Promise<void> | null = null;
  /** Why calls fail while disconnected. */
  private closedReason = "Not connected: call start() first.";

  protected constructor(hubPath: string, options: HubClientOptions) {
    this.events = new TypedEvents<Events>();
    this.policy = options.reconnect instanceof ReconnectPolicy ? options.reconnect : new ReconnectPolicy(options.reconnect);
    this.acceptTimeoutMs = options.acceptTimeoutMs ?? defaultAcceptTimeoutMs;
    let builder = new HubConnectionBuilder()
      .withUrl((options.serverUrl ?? "").replace(/\/$/, "") + hubPath, {
        ...(options.accessTokenFactory ? { accessTokenFactory: options.accessTokenFactory } : {}),
        ...(options.transport !== undefined ? { transport: options.transport } : {}),
      })
      .withHubProtocol(options.protocol === "messagepack" ? new MessagePackHubProtocol() : new JsonHubProtocol())
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => this.nextReconnectDelay(context) })
      .configureLogging(options.logging ?? LogLevel.Warning);
    if (options.statefulReconnect ?? true) {
      builder = builder.withStatefulReconnect();
    }
    this.connection = builder.build();
    // Both hubs say why before closing a connection on purpose (an administrator's disconnect): that one is not retried.
    this.connection.on("Disconnecting", (notice: DisconnectNotice) => (this.closingNotice = revive(notice, "DisconnectNotice")));
    this.connection.onreconnected((connectionId) => void this.handleReconnected(connectionId ?? null));
    this.connection.onclose((error) => this.handleClosed(error));
  }

  /** The connection as the user sees it. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** The server's id of the current connection (it changes on every reconnect that is not stateful). */
  get connectionId(): string | null {
    return this.connection.connectionId;
  }

  /** Listens to an event until the returned function is called. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.events.on(event, listener);
  }

  /** Listens to the next occurrence of an event. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.events.once(event, listener);
  }

  /**
   * Connects, retrying with the reconnect policy (SignalR alone does not retry the first connect), and resolves
   * once the server has accepted the connection (for the chat hub: its `Welcome` came). Rejects when the policy
   * gives up, at once when the server refuses the token (401/403), when `stop()` is called, and with a
   * {@link ConnectionClosedError} carrying the server's reason when the server closes the connection before
   * accepting it (e.g. "Too many connections…") or does not accept it within `acceptTimeoutMs`. (A later reconnect
   * the server refuses that way is retried per the policy, unless it came with a `Disconnecting` notice.)
   */
  start(): Promise<void> {
    if (this.startPromise) {
      return this.startPromise;
    }
    if (this.currentState !== "disconnected") {
      return Promise.resolve();
    }
    this.stopController = new AbortController();
    this.gaveUp = null;
    this.closingNotice = null;
    const starting: Promise<void> = this.connectWithRetries(this.stopController.signal).finally(() => {
      if (this.startPromise === starting) {
        this.startPromise = null;
      }
    });
    this.startPromise = starting;
    return starting;
  }

  /**
   * Disconnects for good: at once `state` is `disconnected`, a pending `start()` and calls in flight or waiting for a
   * reconnect fail with {@link ConnectionClosedError}. Resolves once an open connection is closed; a connection try
   * still under way (e.g. waiting for its access token or the server's answer) is not waited for: SignalR ends it as
   * soon as that step returns, and a new `start()` waits for that first.
   */
  async stop(): Promise<void> {
    this.stopController?.abort(new ConnectionClosedError("The client was stopped."));
    this.startPromise = null;
    let stopped!: () => void;
    const stopping = new Promise<void>((resolve) => (stopped = resolve));
    this.stopping = stopping;
    this.onStopped();
    this.close(undefined, undefined, "The client was stopped; call start() to connect again.");
    // One turn later: SignalR asks for the first reconnect delay (where a `reconnecting` listener may call stop())
    // before it marks the connection as reconnecting, and would overwrite a stop made in between.
    await Promise.resolve();
    const open = this.connection.state === HubConnectionState.Connected;
    const signalRStopped = this.connection.stop().then(
      () => undefined,
      () => undefined,
    );
    void signalRStopped.then(() => {
      if (this.stopping === stopping) {
        this.stopping = null;
      }
      stopped();
    });
    if (open) {
      await signalRStopped;
    }
  }

  /**
   * Whether the server says when it has accepted a connection (the subclass then calls {@link accept}); until it
   * does, `start()` and a reconnect are not complete. The chat hub does (`Welcome`); the notification hub does not.
   */
  protected get announcesAcceptance(): boolean {
    return false;
  }

  /** The server accepted the current connection (a SignalR connection is open before the hub has admitted it). */
  protected accept(): void {
    // A Welcome that arrives after this try timed out (its connection is being stopped) does not undo that decision.
    if (!this.notAccepted) {
      this.accepted.resolve();
    }
  }

  /** Runs after every successful connect and reconnect, before calls go through again (e.g. room re-join). */
  protected async recover(_isReconnect: boolean): Promise<void> {}

  /** Runs when `stop()` is called. */
  protected onStopped(): void {}

  /**
   * Invokes a hub method: waits while (re)connecting, re-sends after a reconnect when the connection dropped
   * before the answer came (so non-idempotent methods need their own de-duplication id), revives timestamps.
   * Rejects with {@link HubError} when the server refuses the call, and also when the server closes the connection
   * with an error while the call is in flight (e.g. "Message too large…"): that call is not re-sent.
   */
  protected async call<TResult>(method: string, info: HubMethodInfo, request: unknown, options: CallOptions = {}): Promise<TResult> {
    for (let resends = 0; ; resends++) {
      await this.whenReady(options.signal);
      const generation = this.generation;
      try {
        const result = await withSignal(this.invokeNow<TResult>(method, request), options.signal);
        return revive(result, info.result);
      } catch (error) {
        if (options.signal?.aborted) {
          throw options.signal.reason;
        }
        if (!this.lostDuring(generation, error)) {
          throw HubError.fromInvocation(method, error);
        }
        if (resends >= maxResends) {
          throw new ConnectionClosedError(`'${method}' lost its connection ${maxResends + 1} times in a row; giving up.`, { cause: error });
        }
      }
    }
  }

  /** Invokes at once on the current connection, without the gate (for recovery work while reconnecting). */
  protected invokeNow<TResult>(method: string, request: unknown): Promise<TResult> {
    return request === undefined ? this.connection.invoke<TResult>(method) : this.connection.invoke<TResult>(method, request);
  }

  /**
   * A server-to-client stream as an async iterable; leaving the `for await` loop cancels it on the server.
   * A lost connection ends it with an error (streams are not resumed: start a new one after `reconnected`).
   */
  protected stream<TItem>(method: string, info: HubMethodInfo, request: unknown): AsyncIterable<TItem> {
    const client = this;
    return {
      [Symbol.asyncIterator](): AsyncIterator<TItem> {
        const queue: TItem[] = [];
        let finished = false;
        let failure: unknown = null;
        let wake: (() => void) | null = null;
        let subscription: { dispose(): void } | null = null;
        const notify = () => {
          wake?.();
          wake = null;
        };
        const opened = client.whenReady().then(() => {
          const generation = client.generation;
          const result = request === undefined ? client.connection.stream<TItem>(method) : client.connection.stream<TItem>(method, request);
          subscription = result.subscribe({
            next: (item) => {
              queue.push(revive(item, info.result));
              notify();
            },
            error: (error) => {
              // A refusal (bad input, a missing role) is the server's answer; only a lost connection stays as it is.
              failure = client.lostDuring(generation, error) ? error : HubError.fromInvocation(method, error);
              finished = true;
              notify();
            },
            complete: () => {
              finished = true;
              notify();
            },
          });
        });
        return {
          async next(): Promise<IteratorResult<TItem>> {
            await opened;
            while (queue.length === 0 && !finished) {
              await new Promise<void>((resolve) => (wake = resolve));
            }
            if (queue.length > 0) {
              return { value: queue.shift()!, done: false };
            }
            if (failure) {
              throw failure;
            }
            return { value: undefined, done: true };
          },
          async return(): Promise<IteratorResult<TItem>> {
            finished = true;
            await opened.catch(() => undefined);
            subscription?.dispose();
            notify();
            return { value: undefined, done: true };
          },
        };
      },
    };
  }

  /** Resolves when calls may go through; rejects at once when the client is closed. */
  protected whenReady(signal?: AbortSignal): Promise<void> {
    if (this.currentState === "disconnected") {
      return Promise.reject(new ConnectionClosedError(this.closedReason));
    }
    return withSignal(this.ready.promise, signal);
  }

  private async connectWithRetries(stopSignal: AbortSignal): Promise<void> {
    let lastError: Error | undefined;
    for (let attempt = 1; ; attempt++) {
      this.setState("connecting");
      this.events.emit("connecting", (lastError ? { attempt, error: lastError } : { attempt }) as Events["connecting"]);
      try {
        if (this.stopping) {
          await withSignal(this.stopping, stopSignal); // SignalR is still ending the connection of before stop()
        }
        // Before start(): the acceptance may arrive with the handshake's answer, before start() resolves.
        this.expectAcceptance();
        await withSignal(this.connection.start(), stopSignal);
        break;
      } catch (error) {
        const failure = asError(error);
        lastError = failure;
        if (stopSignal.aborted) {
          throw stopSignal.reason;
        }
        if (closedByServer(error)) {
          // Refused on purpose (a limit, an administrator): trying again at once would be refused the same way.
          this.close(failure);
          throw refusal(null, failure);
        }
        const retryIn = isAuthFailure(error) ? null : this.policy.delayBeforeAttempt(attempt);
        if (retryIn === null) {
          if (!isAuthFailure(error)) {
            this.events.emit("gaveUp", { attempts: attempt, error: failure } as Events["gaveUp"]);
          }
          this.close(failure);
          throw failure;
        }
        await delay(retryIn, stopSignal);
      }
    }
    try {
      await withSignal(this.untilAccepted(), stopSignal);
    } catch (error) {
      if (stopSignal.aborted) {
        throw stopSignal.reason;
      }
      if (!(error instanceof AcceptanceSuperseded)) {
        throw error;
      }
      // Lost before the server accepted it and SignalR is reconnecting: that reconnect completes (or fails) the start.
      if (this.currentState === "disconnected") {
        throw new ConnectionClosedError("The connection closed while starting.");
      }
      this.startingThroughReconnect = true;
      try {
        await withSignal(this.ready.promise, stopSignal);
      } finally {
        this.startingThroughReconnect = false;
      }
      return;
    }
    const generation = this.generation;
    await this.runRecovery(false);
    if (generation !== this.generation) {
      // Lost while recovering: the reconnect (or close) path takes over from here.
      if (this.currentState === "disconnected") {
        throw new ConnectionClosedError("The connection closed while starting.");
      }
      return;
    }
    this.setState("connected");
    this.ready.resolve();
    this.events.emit("connected", { connectionId: this.connection.connectionId } as Events["connected"]);
  }

  private nextReconnectDelay(context: RetryContext): number | null {
    const attempt = context.previousRetryCount + 1;
    if (this.closingNotice) {
      return null; // Closed by the server on purpose: reconnecting would undo an administrator's decision.
    }
    const retryIn = isAuthFailure(context.retryReason) ? null : this.policy.delayBeforeAttempt(attempt);
    if (retryIn === null) {
      this.gaveUp = { attempts: context.previousRetryCount, error: context.retryReason };
      return null;
    }
    this.reconnectAttempt = attempt;
    // Before the try: its acceptance may arrive before SignalR reports the reconnect.
    this.expectAcceptance();
    this.dropStaleMessageBuffer();
    if (attempt === 1) {
      // A new loss: calls from now on wait for the reconnect, and calls in flight are re-sent after it.
      this.generation++;
      if (this.ready.settled) {
        this.ready = new Deferred();
      }
      this.setState("reconnecting");
    }
    this.events.emit("reconnecting", { attempt, delayMs: retryIn, error: context.retryReason } as Events["reconnecting"]);
    return retryIn;
  }

  private async handleReconnected(connectionId: string | null): Promise<void> {
    const generation = this.generation;
    try {
      await this.untilAccepted();
    } catch {
      return; // Closed before the server accepted it: the close path retries or says so (`disconnected`).
    }
    await this.completeReconnect(connectionId, generation);
  }

  /**
   * Retries a reconnect the server refused without its `Disconnecting` notice (e.g. a per-user connection limit
   * that still counts the lost connection until the server notices it is gone). SignalR does not retry it, as the
   * server's close forbids a reconnect, so the client carries on with its own policy from the next attempt.
   */
  private async retryRefusedReconnect(refused: Error, stopSignal: AbortSignal): Promise<void> {
    this.retryingRefusal = true;
    let lastError = refused;
    try {
      for (let attempt = this.reconnectAttempt + 1; ; attempt++) {
        const retryIn = isAuthFailure(lastError) ? null : this.policy.delayBeforeAttempt(attempt);
        if (retryIn === null) {
          this.events.emit("gaveUp", { attempts: attempt - 1, error: lastError } as Events["gaveUp"]);
          this.close(lastError);
          return;
        }
        this.reconnectAttempt = attempt;
        this.events.emit("reconnecting", { attempt, delayMs: retryIn, error: lastError } as Events["reconnecting"]);
        const generation = this.generation;
        try {
          await delay(retryIn, stopSignal);
          this.expectAcceptance();
          await this.connection.start();
          await withSignal(this.untilAccepted(), stopSignal);
        } catch (error) {
          if (stopSignal.aborted || this.currentState === "disconnected" || this.connection.state !== HubConnectionState.Disconnected) {
            return; // Stopped, closed for good (e.g. not accepted in time), or in SignalR's own reconnect again.
          }
          lastError = closedByServer(error) ? refusal(null, asError(error)) : asError(error);
          continue;
        }
        this.retryingRefusal = false;
        await this.completeReconnect(this.connection.connectionId, generation);
        return;
      }
    } finally {
      this.retryingRefusal = false;
    }
  }

  /** The server accepted the new connection: restore what it forgot, then let calls through and say so. */
  private async completeReconnect(connectionId: string | null, generation: number): Promise<void> {
    await this.runRecovery(true);
    if (generation !== this.generation || this.connection.state !== HubConnectionState.Connected) {
      return; // Lost again while recovering; the next reconnect recovers.
    }
    const first = this.startingThroughReconnect; // Never connected before: that is the `connected` moment.
    this.startingThroughReconnect = false;
    this.setState("connected");
    this.ready.resolve();
    if (first) {
      this.events.emit("connected", { connectionId } as Events["connected"]);
    } else {
      this.events.emit("reconnected", { connectionId } as Events["reconnected"]);
    }
  }

  /**
   * A reconnect opens a new connection, but @microsoft/signalr (10.0) keeps the lost one's stateful-reconnect buffer
   * until the new handshake has been processed; that buffer waits for a Sequence message a new connection never
   * sends, so it drops what the server sends first (the chat hub's `Welcome`). Disposed here as SignalR does on a
   * close; until the new connection's own buffer is set up, messages are processed as on a first start.
   */
  private dropStaleMessageBuffer(): void {
    const hub = this.connection as unknown as { _messageBuffer?: { _dispose(error: Error): void } };
    hub._messageBuffer?._dispose(new Error("Connection closed."));
    hub._messageBuffer = undefined;
  }

  private expectAcceptance(): void {
    if (!this.accepted.settled) {
      // The wait for an older try's acceptance ends here, so its timer cannot stop the newer connection.
      this.accepted.reject(new AcceptanceSuperseded());
    }
    this.accepted = new Deferred();
    this.notAccepted = null;
  }

  /**
   * Resolves once the server has accepted the open connection; rejects when it closes first (with its reason), with
   * {@link AcceptanceSuperseded} when a newer try replaced it, or closes it and rejects after `acceptTimeoutMs`. A
   * timeout while reconnecting counts as a failed attempt that the policy retries (the close path does); on a first
   * `start()` it is final.
   */
  private async untilAccepted(): Promise<void> {
    if (!this.announcesAcceptance) {
      return;
    }
    const accepted = this.accepted;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), this.acceptTimeoutMs)));
    try {
      if ((await Promise.race([accepted.promise, timedOut])) !== "timeout") {
        return;
      }
    } finally {
      clearTimeout(timer);
    }
    if (accepted !== this.accepted) {
      throw new AcceptanceSuperseded(); // A newer try owns the connection now: never stop it from here.
    }
    const failure = new ConnectionClosedError(`The server did not accept the connection within ${this.acceptTimeoutMs} ms.`);
    this.notAccepted = failure;
    if (this.currentState !== "reconnecting") {
      accepted.reject(failure); // Settled first, so the close path closes for good instead of retrying.
    }
    await this.connection.stop();
    throw failure;
  }

  private async runRecovery(isReconnect: boolean): Promise<void> {
    try {
      await this.recover(isReconnect);
    } catch (error) {
      this.events.emit("error", { error: asError(error), context: "recovery after connecting" } as Events["error"]);
    }
  }

  // SignalR calls this only for a connection that had started; a failed start() try rejects instead.
  private handleClosed(error: Error | undefined): void {
    if (this.stopping) {
      // The close that stop() asked for: already reported, and a new start() may be under way.
      this.gaveUp = null;
      this.closingNotice = null;
      if (!this.accepted.settled) {
        this.accepted.reject(new ConnectionClosedError("The client was stopped."));
      }
      return;
    }
    const gaveUp = this.gaveUp;
    this.gaveUp = null;
    if (gaveUp) {
      this.events.emit("gaveUp", gaveUp as Events["gaveUp"]);
    }
    const notice = this.closingNotice;
    this.closingNotice = null;
    if (!this.accepted.settled) {
      this.accepted.reject(this.notAccepted ?? refusal(notice, error));
      const stopSignal = this.stopController?.signal;
      if (this.announcesAcceptance && this.currentState === "reconnecting" && !notice && !gaveUp && stopSignal && !stopSignal.aborted) {
        // A reconnect refused, not sent away (that comes with a notice), or not accepted in time: a failed attempt,
        // retried per the policy.
        if (!this.retryingRefusal) {
          void this.retryRefusedReconnect(this.notAccepted ?? refusal(null, error), stopSignal);
        }
        return;
      }
    }
    this.close(notice ? new Error(notice.reason) : (this.notAccepted ?? error ?? gaveUp?.error), notice ?? undefined);
  }

  private close(error: Error | undefined, notice?: DisconnectNotice, reason?: string): void {
    if (this.currentState === "disconnected") {
      return;
    }
    this.closedReason = reason ?? `The connection closed${error ? ` (${error.message})` : ""}; call start() to connect again.`;
    this.generation++;
    this.ready.reject(new ConnectionClosedError(reason ?? "The connection closed" + (error ? `: ${error.message}` : ".")));
    this.ready = new Deferred();
    this.setState("disconnected");
    this.events.emit("disconnected", { ...(error ? { error } : {}), ...(notice ? { notice } : {}) } as Events["disconnected"]);
  }

  /**
   * True when the connection was lost (or replaced) while a call was in flight, rather than the server refusing it.
   * A connection the server closed saying why (e.g. a message over its size limit) is a refusal: often that call
   * caused it, and sending it again would close the next connection too. A call merely in flight alongside fails the
   * same way, as the two cannot be told apart; the application may resend it (same clientMessageId: delivered once).
   */
  private lostDuring(generation: number, error: unknown): boolean {
    if (closedByServer(error)) {
      return false;
    }
    if (generation !== this.generation || this.connection.state !== HubConnectionState.Connected) {
      return true;
    }
    const message = error instanceof Error ? error.message : String(error);
    return !message.includes("HubException") && lostConnectionMessages.some((text) => message.includes(text));
  }

  private setState(state: ConnectionState): void {
    const previous = this.currentState;
    if (previous !== state) {
      this.currentState = state;
      this.events.emit("stateChanged", { state, previous } as Events["stateChanged"]);
    }
  }
}

/** An acceptance wait replaced by a newer connection try (e.g. SignalR reconnecting after a drop before `Welcome`). */
class AcceptanceSuperseded extends Error {
  constructor() {
    super("A newer connection try replaced this one before the server accepted it.");
  }
}

/**
 * A connection the server closed on purpose with an error: start() rejects with it when it came with the handshake,
 * and calls in flight on an open connection reject with it.
 */
function closedByServer(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("Server returned an error on close");
}

/** Why the server closed a connection before accepting it, in its own words. */
function refusal(notice: DisconnectNotice | null, error: Error | undefined): ConnectionClosedError {
  const reason = notice?.reason ?? (error ? (/HubException: ([\s\S]*)$/.exec(error.message)?.[1] ?? error.message) : undefined);
  return new ConnectionClosedError(reason ?? "The connection closed before the server accepted it.", error ? { cause: error } : undefined);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The server refused the token: retrying with the same token cannot help. */
function isAuthFailure(error: unknown): boolean {
  if (error instanceof HttpError) {
    return error.statusCode === 401 || error.statusCode === 403;
  }
  // A refused negotiate arrives wrapped: "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'".
  return error instanceof Error && /Status code '(401|403)'/.test(error.message);
}
