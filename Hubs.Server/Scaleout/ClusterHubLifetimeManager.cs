using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// The SignalR backplane over Redis pub/sub: this instance's connections get messages directly, as with one
/// instance, and one message is published for the other instances (the stock Redis backplane routes even
/// local deliveries through Redis and back).
/// </summary>
/// <remarks>
/// A send publishes first and only then delivers locally, so when Redis is unreachable it fails before anyone
/// got the message and the caller can report "temporarily unavailable" without a partial delivery.
/// Remote deliveries are parsed against the hub's typed client interface, so hubs must be <c>Hub&lt;T&gt;</c>.
/// </remarks>
internal sealed partial class ClusterHubLifetimeManager<THub> : DefaultHubLifetimeManager<THub>, IDisposable where THub : Hub
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _leaving = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _groupsByConnection = new(StringComparer.Ordinal);
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisChannel _channel;
    private readonly string _instanceId;
    private readonly IHubProtocol _wireProtocol;
    private readonly IInvocationBinder _binder;
    private readonly ILogger _logger;
    private readonly WatchedSubscription _subscription;

    public ClusterHubLifetimeManager(
        ILogger<DefaultHubLifetimeManager<THub>> baseLogger,
        ILogger<ClusterHubLifetimeManager<THub>> logger,
        IConnectionMultiplexer redis,
        RedisKeys keys,
        InstanceIdentity instance,
        IHubProtocolResolver protocols,
        RedisSubscriptions subscriptions) : base(baseLogger)
    {
        _redis = redis;
        _logger = logger;
        _instanceId = instance.Id;
        _channel = keys.HubChannel(typeof(THub).Name);
        // Any registered protocol can carry the invocation between instances; MessagePack is the cheaper one.
        _wireProtocol = protocols.AllProtocols.FirstOrDefault(p => p.Name == "messagepack") ?? protocols.AllProtocols[0];
        _binder = new ClientMethodBinder(typeof(THub));
        _subscription = subscriptions.Watch(_channel, OnBusMessage);
    }

    /// <summary>This instance's open connections.</summary>
    public ICollection<HubConnectionContext> LocalConnections => _connections.Values;

    /// <summary>
    /// The connection's clean-up has begun (the hub removes it from Redis before this manager forgets it); see
    /// <see cref="IsLeaving"/>.
    /// </summary>
    public void MarkLeaving(string connectionId) => _leaving[connectionId] = 0;

    /// <summary>
    /// Whether the connection is closing or gone: from the start of its clean-up on. What the janitor writes back to
    /// Redis for a connection must be undone when this turns true meanwhile, or it outlives the connection there.
    /// </summary>
    public bool IsLeaving(string connectionId) => _leaving.ContainsKey(connectionId) || !_connections.ContainsKey(connectionId);

    /// <summary>Groups a local connection is in.</summary>
    public IReadOnlyCollection<string> GroupsOf(string connectionId) =>
        _groupsByConnection.TryGetValue(connectionId, out var groups) ? [.. groups.Keys] : [];

    /// <summary>Groups with at least one local connection.</summary>
    public IReadOnlySet<string> LocalGroups() => _groupsByConnection.Values.SelectMany(groups => groups.Keys).ToHashSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="userId"/> has a connection on this instance.</summary>
    public bool HasLocalConnection(string userId) => _connections.Values.Any(connection => connection.UserIdentifier == userId);

    /// <summary>Sends to this instance's connections only, without Redis (which is unreachable).</summary>
    public Task SendAllLocalAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        base.SendAllAsync(methodName, args, cancellationToken);

    /// <summary>Sends to these users' connections on this instance only, without Redis (which is unreachable).</summary>
    public Task SendUsersLocalAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        base.SendUsersAsync(userIds, methodName, args, cancellationToken);

    /// <summary>Sends to this instance's members of a group only (the caller has already reached the others).</summary>
    public Task SendGroupLocalAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        base.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = connection;
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        _groupsByConnection.TryRemove(connection.ConnectionId, out _);
        // Gone from _connections first, so IsLeaving stays true throughout.
        _leaving.TryRemove(connection.ConnectionId, out _);
        return base.OnDisconnectedAsync(connection);
    }

    public override async Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await PublishAsync(BusTarget.All, [], [], methodName, args);
        await base.SendAllAsync(methodName, args, cancellationToken);
    }

    public override async Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        await PublishAsync(BusTarget.All, [], excludedConnectionIds, methodName, args);
        await base.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);
    }

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendConnectionsAsync([connectionId], methodName, args, cancellationToken);

    public override async Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        var remote = connectionIds.Where(id => !_connections.ContainsKey(id)).ToList();
        if (remote.Count > 0)
        {
            await PublishAsync(BusTarget.Connections, remote, [], methodName, args);
        }
        if (remote.Count < connectionIds.Count)
        {
            await base.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);
        }
    }

    public override async Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await PublishAsync(BusTarget.Groups, [groupName], [], methodName, args);
        await base.SendGroupAsync(groupName, methodName, args, cancellationToken);
    }

    public override async Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await PublishAsync(BusTarget.Groups, groupNames, [], methodName, args);
        await base.SendGroupsAsync(groupNames, methodName, args, cancellationToken);
    }

    public override async Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        await PublishAsync(BusTarget.Groups, [groupName], excludedConnectionIds, methodName, args);
        await base.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);
    }

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendUsersAsync([userId], methodName, args, cancellationToken);

    public override async Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await PublishAsync(BusTarget.Users, userIds, [], methodName, args);
        await base.SendUsersAsync(userIds, methodName, args, cancellationToken);
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections.ContainsKey(connectionId))
        {
            await AddLocalAsync(connectionId, groupName, cancellationToken);
            return;
        }
        // Owned by another instance (e.g. an admin action through IHubContext): its owner applies it.
        await PublishGroupChangeAsync(BusKind.AddToGroup, connectionId, groupName);
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections.ContainsKey(connectionId))
        {
            await RemoveLocalAsync(connectionId, groupName, cancellationToken);
            return;
        }
        await PublishGroupChangeAsync(BusKind.RemoveFromGroup, connectionId, groupName);
    }

    public void Dispose() => _subscription.Dispose();

    private Task AddLocalAsync(string connectionId, string groupName, CancellationToken cancellationToken)
    {
        _groupsByConnection.GetOrAdd(connectionId, _ => new(StringComparer.Ordinal))[groupName] = 0;
        return base.AddToGroupAsync(connectionId, groupName, cancellationToken);
    }

    private Task RemoveLocalAsync(string connectionId, string groupName, CancellationToken cancellationToken)
    {
        if (_groupsByConnection.TryGetValue(connectionId, out var groups))
        {
            groups.TryRemove(groupName, out _);
        }
        return base.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
    }

    private Task PublishAsync(BusTarget target, IReadOnlyList<string> names, IReadOnlyList<string> excluded, string methodName, object?[] args)
    {
        var payload = _wireProtocol.GetMessageBytes(new InvocationMessage(methodName, args));
        return PublishAsync(new BusEnvelope(_instanceId, BusKind.Invocation, target, names, excluded, payload));
    }

    private Task PublishGroupChangeAsync(BusKind kind, string connectionId, string groupName) =>
        PublishAsync(new BusEnvelope(_instanceId, kind, BusTarget.Connections, [connectionId, groupName], [], ReadOnlyMemory<byte>.Empty));

    private Task PublishAsync(BusEnvelope envelope) => _redis.GetSubscriber().PublishAsync(_channel, envelope.ToBytes());

    private void OnBusMessage(ChannelMessage message)
    {
        BusEnvelope envelope;
        InvocationMessage? invocation = null;
        try
        {
            envelope = BusEnvelope.Parse((byte[])message.Message!);
            if (envelope.Origin == _instanceId)
            {
                return;
            }
            if (envelope.Kind == BusKind.Invocation)
            {
                var sequence = new ReadOnlySequence<byte>(envelope.Payload);
                invocation = _wireProtocol.TryParseMessage(ref sequence, _binder, out var parsed) ? parsed as InvocationMessage : null;
                if (invocation is null)
                {
                    throw new InvalidDataException($"Not an invocation: {parsed}");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or InvalidOperationException or IOException or System.Text.Json.JsonException or MessagePack.MessagePackSerializationException)
        {
            ScaleoutLog.UnreadableBusMessage(_logger, e);
            return;
        }
        // Writes start in arrival order; a slow client must not hold up the channel, so they are not awaited here.
        Observe(DeliverLocallyAsync(envelope, invocation));
    }

    private Task DeliverLocallyAsync(BusEnvelope envelope, InvocationMessage? invocation)
    {
        switch (envelope.Kind)
        {
            case BusKind.AddToGroup when _connections.ContainsKey(envelope.Names[0]):
                return AddLocalAsync(envelope.Names[0], envelope.Names[1], CancellationToken.None);
            case BusKind.RemoveFromGroup when _connections.ContainsKey(envelope.Names[0]):
                return RemoveLocalAsync(envelope.Names[0], envelope.Names[1], CancellationToken.None);
            case BusKind.Invocation:
                var (method, args) = (invocation!.Target, invocation.Arguments);
                return envelope.Target switch
                {
                    BusTarget.All => base.SendAllExceptAsync(method, args, envelope.Excluded),
                    BusTarget.Connections => base.SendConnectionsAsync(envelope.Names, method, args),
                    BusTarget.Groups when envelope.Excluded.Count > 0 => base.SendGroupExceptAsync(envelope.Names[0], method, args, envelope.Excluded),
                    BusTarget.Groups => base.SendGroupsAsync(envelope.Names, method, args),
                    BusTarget.Users => base.SendUsersAsync(envelope.Names, method, args),
                    _ => Task.CompletedTask,
                };
            default:
                return Task.CompletedTask;
        }
    }

    private void Observe(Task delivery)
    {
        if (!delivery.IsCompletedSuccessfully)
        {
            delivery.ContinueWith(t => ScaleoutLog.LocalDeliveryFailed(_logger, t.Exception!), CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>Argument types of the hub's client methods (<c>Hub&lt;TClient&gt;</c>), to read invocations from other instances.</summary>
    private sealed class ClientMethodBinder : IInvocationBinder
    {
        private readonly Dictionary<string, Type[]> _parameters = new(StringComparer.Ordinal);

        public ClientMethodBinder(Type hubType)
        {
            for (var type = hubType; type is not null; type = type.BaseType)
            {
                if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Hub<>))
                {
                    var client = type.GetGenericArguments()[0];
                    foreach (var method in client.GetMethods().Concat(client.GetInterfaces().SelectMany(i => i.GetMethods())))
                    {
                        _parameters[method.Name] = [.. method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).Select(p => p.ParameterType)];
                    }
                }
            }
        }

        public IReadOnlyList<Type> GetParameterTypes(string methodName) =>
            _parameters.TryGetValue(methodName, out var types)
                ? types
                : throw new InvalidOperationException($"'{methodName}' is not a method of the hub's client interface.");

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
