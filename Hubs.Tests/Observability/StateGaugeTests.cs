using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Observability;

/// <summary>
/// The online-users and rooms gauges and SignalR's own connection gauge, on a server of their own so the
/// absolute numbers are known.
/// </summary>
public sealed class StateGaugeTests : IAsyncLifetime
{
    private readonly HubsApplication _app = new();

    [Fact]
    public async Task GaugesReportOnlineUsersRoomsAndOpenConnectionsAtScrapeTime()
    {
        using var http = _app.CreateClient();
        var empty = await PrometheusText.ScrapeAsync(http);
        var room = Names.Room("gauge");

        await using var dana = await _app.ConnectChatAsync(Names.User("dana")).ReadyAsync();
        await using var eli = await _app.ConnectChatAsync(Names.User("eli")).ReadyAsync();
        await using var eliSecondTab = await _app.ConnectChatAsync(eli.UserName).ReadyAsync();
        await dana.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var busy = await PrometheusText.ScrapeAsync(http);
        await dana.Client.LeaveRoomAsync(new LeaveRoomRequest(room));
        var roomLeft = await PrometheusText.ScrapeAsync(http);

        Assert.Equal(0, empty.Value("realtimehubs_users_online"));
        Assert.Equal(0, empty.Value("realtimehubs_rooms"));
        Assert.Equal(2, busy.Value("realtimehubs_users_online"));
        Assert.Equal(1, busy.Value("realtimehubs_rooms"));
        Assert.Equal(0, roomLeft.Value("realtimehubs_rooms"));
        // ASP.NET Core's SignalR meter counts connections, not users: the second tab is one more.
        Assert.Equal(3, busy.Value("signalr_server_active_connections", ("signalr_transport", "web_sockets")));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();
}
