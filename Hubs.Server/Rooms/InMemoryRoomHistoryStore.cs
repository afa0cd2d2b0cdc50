using Hubs.Contracts;
using Hubs.Server.State;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Rooms;

/// <summary>Room history for a single instance: a bounded queue per room.</summary>
internal sealed class InMemoryRoomHistoryStore(InMemoryMessageIdGenerator ids, IOptions<RoomOptions> options) : IRoomHistoryStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RoomLog> _rooms = new(StringComparer.Ordinal);

    public Task<ChatMessage> AppendAsync(string room, UserInfo sender, string text, DateTime timestamp, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(room, out var log))
            {
                log = new RoomLog();
                _rooms[room] = log;
            }
            // The id is drawn under the lock: an id drawn earlier by a slower sender must not be
            // stored after a bigger one, or a "since" query could skip it.
            var message = new ChatMessage(ids.Next(), room, sender, text, timestamp);
            log.Messages.Enqueue(message);
            while (log.Messages.Count > options.Value.HistoryLength)
            {
                log.TrimmedThroughId = log.Messages.Dequeue().Id;
            }
            return Task.FromResult(message);
        }
    }

    public Task<HistorySlice> GetAfterAsync(string room, long sinceId, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(room, out var log))
            {
                return Task.FromResult(new HistorySlice([], false));
            }
            var after = log.Messages.Where(message => message.Id > sinceId).ToList();
            var truncated = sinceId < log.TrimmedThroughId || after.Count > limit;
            return Task.FromResult(new HistorySlice([.. after.Skip(Math.Max(0, after.Count - limit))], truncated));
        }
    }

    public Task<IReadOnlyList<ChatMessage>> GetLatestAsync(string room, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(room, out var log))
            {
                return Task.FromResult<IReadOnlyList<ChatMessage>>([]);
            }
            var before = log.Messages.Where(message => beforeId is null || message.Id < beforeId).ToList();
            IReadOnlyList<ChatMessage> page = [.. before.Skip(Math.Max(0, before.Count - limit))];
            return Task.FromResult(page);
        }
    }

    private sealed class RoomLog
    {
        public Queue<ChatMessage> Messages { get; } = new();

        public long TrimmedThroughId { get; set; }
    }
}
