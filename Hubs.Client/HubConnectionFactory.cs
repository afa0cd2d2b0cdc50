using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Client;

/// <summary>Builds a <see cref="HubConnection"/> for a hub path from <see cref="HubClientOptions"/>.</summary>
public static class HubConnectionFactory
{
    /// <summary>Creates an unstarted connection to <paramref name="hubPath"/> on the configured server.</summary>
    public static HubConnection Create(HubClientOptions options, string hubPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(options.ServerUrl, hubPath), options.Transports, http =>
            {
                http.AccessTokenProvider = options.AccessTokenProvider;
                options.ConfigureHttpConnection?.Invoke(http);
            })
            .WithStatefulReconnect();
        if (options.Protocol == HubProtocolKind.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }
        if (options.ConfigureLogging is { } logging)
        {
            builder.ConfigureLogging(logging);
        }
        return builder.Build();
    }
}
