using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Chat;

/// <summary>A room keeps its last Rooms:HistoryLength messages; rejoining past that window says so.</summary>
public sealed class HistoryWindowTests : IAsyncLifetime
{
    private readonly HubsApplication _app = HubsApplication.With(new Dictionary<string, string?>
    {
        ["Rooms:HistoryLength"] = "3",
        ["Rooms:JoinHistoryLimit"] = "2",
    });

    private ChatSession _alice = null!;
    private ChatSession _bob = null!;
    private readonly string _room = Names.Room();
    private readonly List<long> _ids = [];

    public async Task InitializeAsync()
    {
        _alice = await _app.ConnectChatAsync(Names.User("alice"));
        _bob = await _app.ConnectChatAsync(Names.User("bob"));
        await _alice.Client.JoinRoomAsync(new JoinRoomRequest(_room));
        for (var i = 1; i <= 5; i++)
        {
            _ids.Add((await _alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(_room, $"m{i}"))).Id);
        }
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task OnlyTheLastHistoryLengthMessagesAreKept()
    {
        var history = await _alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(_room, Limit: 100));

        Assert.Equal(_ids[2..], history.Select(m => m.Id));
    }

    [Fact]
    public async Task JoiningWithoutSinceIdReturnsTheJoinHistoryLimit()
    {
        var joined = await _bob.Client.JoinRoomAsync(new JoinRoomRequest(_room));

        Assert.Equal(_ids[3..], joined.History.Select(m => m.Id));
        Assert.False(joined.HistoryTruncated);
    }

    [Fact]
    public async Task RejoiningFromInsideTheWindowIsComplete()
    {
        var joined = await _bob.Client.JoinRoomAsync(new JoinRoomRequest(_room, _ids[1]));

        Assert.Equal(_ids[2..], joined.History.Select(m => m.Id));
        Assert.False(joined.HistoryTruncated);
    }

    [Fact]
    public async Task RejoiningFromBeforeTheWindowReportsTruncation()
    {
        var joined = await _bob.Client.JoinRoomAsync(new JoinRoomRequest(_room, _ids[0]));

        Assert.Equal(_ids[2..], joined.History.Select(m => m.Id));
        Assert.True(joined.HistoryTruncated);
    }

    [Fact]
    public async Task RejoiningWithTheNewestIdReturnsNothing()
    {
        var joined = await _bob.Client.JoinRoomAsync(new JoinRoomRequest(_room, _ids[^1]));

        Assert.Empty(joined.History);
        Assert.False(joined.HistoryTruncated);
    }
}
