using Hubs.Contracts;
using Hubs.Server.Lifetime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hubs.Tests.Lifetime;

public sealed class ShutdownGateTests
{
    [Fact]
    public async Task HubRequestsAreRefusedWith503OnceTheServerIsStopping()
    {
        using var lifetime = new FakeLifetime();
        var pipeline = Pipeline(lifetime, out var reachedNext);

        var before = await RunAsync(pipeline, HubRoutes.Chat + "/negotiate");
        lifetime.Stop();
        var during = await RunAsync(pipeline, HubRoutes.Chat + "/negotiate");

        Assert.Equal(StatusCodes.Status200OK, before);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, during);
        Assert.Equal(1, reachedNext());
    }

    [Fact]
    public async Task OtherRequestsStillGoThroughWhileStopping()
    {
        using var lifetime = new FakeLifetime();
        var pipeline = Pipeline(lifetime, out var reachedNext);
        lifetime.Stop();

        var status = await RunAsync(pipeline, "/health/live");

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal(1, reachedNext());
    }

    private static RequestDelegate Pipeline(FakeLifetime lifetime, out Func<int> reachedNext)
    {
        var services = new ServiceCollection().AddSingleton<IHostApplicationLifetime>(lifetime).BuildServiceProvider();
        var app = new ApplicationBuilder(services);
        var count = 0;
        app.UseHubShutdownGate();
        app.Run(_ =>
        {
            count++;
            return Task.CompletedTask;
        });
        reachedNext = () => count;
        return app.Build();
    }

    private static async Task<int> RunAsync(RequestDelegate pipeline, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        await pipeline(context);
        return context.Response.StatusCode;
    }

    private sealed class FakeLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Stop() => _stopping.Cancel();

        public void StopApplication() => Stop();

        public void Dispose() => _stopping.Dispose();
    }
}
