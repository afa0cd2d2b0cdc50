using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.Extensions.Logging;

namespace Hubs.Client;

/// <summary>How a typed client reaches the server.</summary>
public sealed class HubClientOptions
{
    /// <summary>Base address of the server, e.g. <c>http://localhost:5000</c>; the hub path is added by the client.</summary>
    public required Uri ServerUrl { get; set; }

    /// <summary>Returns a current access token; called for every (re)connect.</summary>
    public Func<Task<string?>>? AccessTokenProvider { get; set; }

    /// <summary>JSON (default) or MessagePack.</summary>
    public HubProtocolKind Protocol { get; set; } = HubProtocolKind.Json;

    /// <summary>Transports the client may use; all by default.</summary>
    public HttpTransportType Transports { get; set; } =
        HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;

    /// <summary>Where the connection logs; none by default.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }

    /// <summary>How the first connect and every reconnect are retried; <see cref="ReconnectPolicy.Default"/> unless set.</summary>
    public ReconnectPolicy Reconnect { get; set; } = ReconnectPolicy.Default;

    /// <summary>Clock for retry delays; the system clock unless a test sets its own.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// How long <see cref="HubClient{THandler}.StartAsync"/> and each reconnect of a <see cref="ChatClient"/> wait,
    /// once the connection is open, for the server to accept it (its <c>Welcome</c>); past that the connection is
    /// closed and the client gives up. 15 s by default; must be positive. The notification hub sends no
    /// <c>Welcome</c>, so a <see cref="NotificationClient"/> does not wait.
    /// </summary>
    public TimeSpan AcceptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Last word on the HTTP connection (handlers, headers, WebSocket factory), e.g. for tests or proxies.</summary>
    public Action<HttpConnectionOptions>? ConfigureHttpConnection { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> when <see cref="AcceptTimeout"/> makes no sense.</summary>
    internal void ValidateAcceptTimeout()
    {
        // Timers take at most int.MaxValue milliseconds (about 24.8 days).
        if (AcceptTimeout <= TimeSpan.Zero || AcceptTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException(
                $"{nameof(AcceptTimeout)} must be positive and at most {int.MaxValue} ms (was {AcceptTimeout}).", nameof(AcceptTimeout));
        }
    }
}
