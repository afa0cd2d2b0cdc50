using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Observability;

/// <summary>
/// Fails the start when <see cref="MetricsOptions.Port"/> names a port the server does not listen on: the scrape
/// endpoint would then answer nowhere, silently. Kestrel's endpoints come from several places (URLs, ports, the
/// <c>Kestrel</c> section), so the check reads the addresses the server actually bound.
/// </summary>
internal sealed class MetricsPortCheck(IServer server, IOptions<MetricsOptions> options) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (options.Value is not { Enabled: true, Port: { } port })
        {
            return Task.CompletedTask;
        }
        // The in-memory test server binds no address; there is nothing to check.
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (addresses.Count == 0 || addresses.Any(address => BindingAddress.Parse(address).Port == port))
        {
            return Task.CompletedTask;
        }
        var portText = port.ToString(CultureInfo.InvariantCulture);
        throw new OptionsValidationException(MetricsOptions.Section, typeof(MetricsOptions),
        [
            $"Metrics:Port is {portText}, but the server listens only on {string.Join(", ", addresses)}. " +
            $"Add an endpoint on that port, e.g. ASPNETCORE_URLS=\"{string.Join(';', addresses)};http://127.0.0.1:{portText}\" " +
            "or a Kestrel:Endpoints entry.",
        ]);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
