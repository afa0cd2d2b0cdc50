using System.Globalization;
using Hubs.Contracts;

namespace Hubs.Server.Scaleout;

/// <summary>The user behind a connection, as stored in an instance's connection index: "&lt;id length&gt;:&lt;id&gt;&lt;name&gt;".</summary>
public static class ConnectionOwner
{
    public static string Format(UserInfo user) => string.Create(CultureInfo.InvariantCulture, $"{user.Id.Length}:{user.Id}{user.Name}");

    public static UserInfo Parse(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var length = int.Parse(value.AsSpan(0, colon), CultureInfo.InvariantCulture);
        return new UserInfo(value.Substring(colon + 1, length), value[(colon + 1 + length)..]);
    }
}
