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

    /// <summary>Last word on the HTTP connection (handlers, headers, WebSocket factory), e.g. for tests or proxies.</summary>
    public Action<HttpConnectionOptions>? ConfigureHttpConnection { get; set; }
}
