using MessagePack;

namespace Hubs.Contracts;

/// <summary>A user as other users see them.</summary>
/// <param name="Id">Stable user id (the JWT <c>sub</c> claim).</param>
/// <param name="Name">Display name (the JWT <c>name</c> claim, or the id).</param>
[MessagePackObject]
public sealed record UserInfo(
    [property: Key("id")] string Id,
    [property: Key("name")] string Name);
