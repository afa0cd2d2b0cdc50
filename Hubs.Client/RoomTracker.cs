using Hubs.Contracts;

namespace Hubs.Client;

/// <summary>
/// The rooms a client is in and the messages it has seen there, so that after a reconnect it can ask for what
/// came after the last one and deliver each room message exactly once, in id order.
/// </summary>
/// <remarks>
/// While a room is being joined or re-joined, its live messages are held back: they would otherwise overtake the
/// missed ones that the join returns. The same message can arrive both ways; it is delivered once.
/// Every method runs under one lock and only posts deliveries, so the order they are posted in is the order seen.
/// </remarks>
internal sealed class RoomTracker(Action<ChatMessage> deliver)
{
    // More than a room's history window: repeats come from history overlapping live delivery.
    private const int RememberedIdsPerRoom = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Rooms
    {
        get
        {
            lock (_gate)
            {
                return [.. _rooms.Where(pair => pair.Value.Phase != Phase.Joining).Select(pair => pair.Key).Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>A message pushed by the server: delivered, dropped as a repeat, or held while its room is (re)joined.</summary>
    public void OnLive(ChatMessage message)
    {
        lock (_gate)
        {
            if (message.Room is null || !_rooms.TryGetValue(message.Room, out var room))
            {
                deliver(message);
                return;
            }
            if (room.Phase != Phase.Live)
            {
                room.HeldBack.Add(message);
                return;
            }
            if (room.Remember(message.Id))
            {
                deliver(message);
            }
        }
    }

    public void BeginJoin(string name)
    {
        lock (_gate)
        {
            _rooms.TryAdd(name, new Room(Phase.Joining));
        }
    }

    /// <summary>The user's join succeeded: its history goes to the caller, later live messages to handlers.</summary>
    public void CompleteJoin(string name, IReadOnlyList<ChatMessage> history)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(name, out var room))
            {
                room = new Room(Phase.Joining);
                _rooms[name] = room;
            }
            foreach (var message in history)
            {
                room.Remember(message.Id);
            }
            ReleaseLocked(room, []);
        }
    }

    /// <summary>The user's join failed: forget the room, hand over what was held back.</summary>
    public void AbortJoin(string name)
    {
        lock (_gate)
        {
            if (_rooms.TryGetValue(name, out var room) && room.Phase == Phase.Joining)
            {
                _rooms.Remove(name);
                foreach (var message in room.HeldBack.OrderBy(message => message.Id))
                {
                    deliver(message);
                }
            }
        }
    }

    public void Leave(string name)
    {
        lock (_gate)
        {
            _rooms.Remove(name);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rooms.Clear();
        }
    }

    /// <summary>Holds back live messages of every joined room and returns them with the id to re-join from.</summary>
    public IReadOnlyList<(string Room, long SinceId)> BeginRecovery()
    {
        lock (_gate)
        {
            var rooms = new List<(string, long)>();
            foreach (var (name, room) in _rooms.Where(pair => pair.Value.Phase != Phase.Joining))
            {
                room.Phase = Phase.Recovering;
                // Nothing seen yet means the room was empty when joined, so everything in it now was missed.
                rooms.Add((name, room.LastSeenId ?? 0));
            }
            return rooms;
        }
    }

    /// <summary>Delivers the missed messages, then those held back, in id order without repeats; returns how many were missed.</summary>
    public int CompleteRecovery(string name, IReadOnlyList<ChatMessage> missed)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(name, out var room) ? ReleaseLocked(room, missed) : 0;
        }
    }

    /// <summary>The room could not be re-joined: forget it, hand over what was held back.</summary>
    public void FailRecovery(string name)
    {
        lock (_gate)
        {
            if (_rooms.Remove(name, out var room))
            {
                foreach (var message in room.HeldBack.OrderBy(message => message.Id))
                {
                    deliver(message);
                }
            }
        }
    }

    private int ReleaseLocked(Room room, IReadOnlyList<ChatMessage> missed)
    {
        var recovered = 0;
        var missedIds = missed.Select(message => message.Id).ToHashSet();
        foreach (var message in missed.Concat(room.HeldBack).OrderBy(message => message.Id))
        {
            if (room.Remember(message.Id))
            {
                deliver(message);
                if (missedIds.Contains(message.Id))
                {
                    recovered++;
                }
            }
        }
        room.HeldBack.Clear();
        room.Phase = Phase.Live;
        return recovered;
    }

    private enum Phase
    {
        Joining,
        Live,
        Recovering,
    }

    private sealed class Room(Phase phase)
    {
        private readonly HashSet<long> _seen = [];
        private readonly Queue<long> _seenOrder = new();

        public Phase Phase { get; set; } = phase;

        public long? LastSeenId { get; private set; }

        public List<ChatMessage> HeldBack { get; } = [];

        /// <summary>True the first time an id is seen.</summary>
        public bool Remember(long id)
        {
            if (!_seen.Add(id))
            {
                return false;
            }
            _seenOrder.Enqueue(id);
            if (_seenOrder.Count > RememberedIdsPerRoom)
            {
                _seen.Remove(_seenOrder.Dequeue());
            }
            LastSeenId = LastSeenId is { } last ? Math.Max(last, id) : id;
            return true;
        }
    }
}
