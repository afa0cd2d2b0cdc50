namespace Hubs.Client;

/// <summary>The wire protocol a client speaks; both carry the same camelCase fields.</summary>
public enum HubProtocolKind
{
    /// <summary>JSON text frames: readable, the default.</summary>
    Json,

    /// <summary>MessagePack binary frames: smaller and faster to parse.</summary>
    MessagePack,
}
