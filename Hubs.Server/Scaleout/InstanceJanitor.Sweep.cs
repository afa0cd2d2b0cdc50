using Hubs.Contracts;

namespace Hubs.Server.Scaleout;

/// <summary>Sweeping: removing the connections of dead instances, and of connections that closed during an outage.</summary>
internal sealed partial class InstanceJanitor
{
    private async Task SweepDeadInstancesAsync()
    {
        foreach (var other in await Db.SetMembersAsync(keys.Instances))
        {
            var id = (string)other!;
            if (id == instance.Id || await Db.KeyExistsAsync(keys.InstanceAlive(id)))
            {
                continue;
            }
            var connections = await Db.HashGetAllAsync(keys.InstanceConnections(id));
            if (connections.Length > 0)
            {
                ScaleoutLog.SweepingDeadInstance(logger, id, connections.Length);
            }
            foreach (var entry in connections)
            {
                await RemoveAsync(id, entry.Name!, ConnectionOwner.Parse(entry.Value!));
            }
            // Another sweeper may be half-way through the same instance: forget it only when nothing is left.
            if (await Db.HashLengthAsync(keys.InstanceConnections(id)) == 0)
            {
                await Db.SetRemoveAsync(keys.Instances, id);
            }
        }
    }

    /// <summary>Removes a connection that is gone, in the same order and with the same events as a normal close.</summary>
    private async Task RemoveAsync(string instanceId, string connectionId, UserInfo user)
    {
        foreach (var room in await rooms.RemoveConnectionAsync(user.Id, connectionId, CancellationToken.None))
        {
            await hub.Clients.Group(room).UserLeft(new RoomEvent(room, user, Now));
        }
        // Last, because it also drops the index entry: a sweep cut short is simply done again.
        if (await presence.RemoveConnectionAsync(instanceId, user.Id, connectionId))
        {
            await hub.Clients.All.UserDisconnected(new UserEvent(user, Now));
        }
    }

    /// <summary>
    /// Connections that closed during an outage and that Redis no longer knew when it came back (it lost its data, or
    /// they opened during the outage): once every live instance has had <see cref="RedisOptions.PresenceExpiry"/>
    /// to register its own connections again, the others are told about each room the user is no longer in and
    /// about the user going offline, if nobody registered them meanwhile.
    /// </summary>
    private async Task AnnounceDeparturesAsync()
    {
        foreach (var departure in departures.Snapshot())
        {
            var user = departure.User;
            // Whatever Redis still holds of the connection goes the normal way.
            var left = (await rooms.RemoveConnectionAsync(user.Id, departure.ConnectionId, CancellationToken.None)).ToHashSet(StringComparer.Ordinal);
            foreach (var room in departure.Rooms.Where(room => !left.Contains(room)))
            {
                if ((await rooms.GetMembersAsync(room, CancellationToken.None)).All(member => member.Id != user.Id))
                {
                    left.Add(room);
                }
            }
            foreach (var room in left)
            {
                await hub.Clients.Group(room).UserLeft(new RoomEvent(room, user, Now));
            }
            if (await presence.RemoveConnectionAsync(instance.Id, user.Id, departure.ConnectionId) || !await presence.IsOnlineAsync(user.Id, CancellationToken.None))
            {
                await hub.Clients.All.UserDisconnected(new UserEvent(user, Now));
            }
            departures.Remove(departure.ConnectionId);
        }
    }
}
