using System.Buffers.Binary;
using System.Text;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// A probe an instance publishes on a channel it listens to, to learn that its subscription still delivers.
/// It starts with a zero byte, which no real message on any of our channels does (a backplane envelope starts
/// with its version, a room message with its id, an admin command with '{'), so telling it apart costs one byte
/// compare per message; then the round (8 bytes) and the origin instance id.
/// </summary>
internal static class SubscriptionProbe
{
    private const byte Tag = 0;

    public static byte[] Create(string instanceId, long round)
    {
        var bytes = new byte[1 + sizeof(long) + Encoding.UTF8.GetByteCount(instanceId)];
        bytes[0] = Tag;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), round);
        Encoding.UTF8.GetBytes(instanceId, bytes.AsSpan(1 + sizeof(long)));
        return bytes;
    }

    /// <summary>Whether <paramref name="message"/> is a probe (of any instance); if so, its origin and round.</summary>
    public static bool TryRead(RedisValue message, out string? origin, out long round)
    {
        origin = null;
        round = 0;
        var bytes = (ReadOnlyMemory<byte>)message;
        if (bytes.Length < 1 + sizeof(long) || bytes.Span[0] != Tag)
        {
            return false;
        }
        round = BinaryPrimitives.ReadInt64LittleEndian(bytes.Span[1..]);
        origin = Encoding.UTF8.GetString(bytes.Span[(1 + sizeof(long))..]);
        return true;
    }
}
