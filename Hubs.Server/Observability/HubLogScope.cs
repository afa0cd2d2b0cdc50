using System.Collections;

namespace Hubs.Server.Observability;

/// <summary>
/// The logging scope of one hub connection: <c>Hub</c>, <c>HubConnectionId</c> and <c>UserId</c>. Created once per
/// connection and reused for each of its calls, so the scope costs no allocation per message.
/// </summary>
/// <remarks>
/// <c>HubConnectionId</c> rather than <c>ConnectionId</c>: Kestrel already puts its TCP connection id under that name
/// in the same scope chain.
/// </remarks>
internal sealed class HubLogScope(string hub, string connectionId, string? userId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string HubKey = "Hub";
    public const string ConnectionIdKey = "HubConnectionId";
    public const string UserIdKey = "UserId";

    private string? _text;

    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(HubKey, hub),
        1 => new(ConnectionIdKey, connectionId),
        2 => new(UserIdKey, userId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // What the simple console formatter prints for the scope.
    public override string ToString() => _text ??= $"{HubKey}:{hub} {ConnectionIdKey}:{connectionId} {UserIdKey}:{userId}";
}
