using System.Buffers.Text;
using System.Text;
using Hubs.Contracts;

namespace Hubs.Server.Scaleout;

/// <summary>
/// A room message as published by the store script: "&lt;id&gt;|&lt;payload&gt;", the payload holding room, sender, text
/// and timestamp. Id 0 is a marker an instance sends itself to learn that its subscription is live again.
/// </summary>
internal static class RoomBusMessage
{
    private const byte Separator = (byte)'|';

    /// <summary>Everything but the id, which the script only knows once it stored the message.</summary>
    public static byte[] Payload(string room, UserInfo sender, string text, DateTime timestamp)
    {
        using var stream = new MemoryStream(64 + text.Length * 2);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(room);
            writer.Write(sender.Id);
            writer.Write(sender.Name);
            writer.Write(text);
            writer.Write(timestamp.Ticks);
        }
        return stream.ToArray();
    }

    public static byte[] Marker(string instanceId) => Encoding.UTF8.GetBytes("0|" + instanceId);

    /// <summary>Reads a published message; <paramref name="markerFrom"/> is set instead for a marker.</summary>
    public static ChatMessage? Parse(byte[] bytes, out string? markerFrom)
    {
        markerFrom = null;
        var separator = Array.IndexOf(bytes, Separator);
        if (separator <= 0 || !Utf8Parser.TryParse(bytes.AsSpan(0, separator), out long id, out var consumed) || consumed != separator)
        {
            throw new InvalidDataException("A room message must start with '<id>|'.");
        }
        if (id == 0)
        {
            markerFrom = Encoding.UTF8.GetString(bytes, separator + 1, bytes.Length - separator - 1);
            return null;
        }
        using var reader = new BinaryReader(new MemoryStream(bytes, separator + 1, bytes.Length - separator - 1, writable: false), Encoding.UTF8);
        var room = reader.ReadString();
        var sender = new UserInfo(reader.ReadString(), reader.ReadString());
        var text = reader.ReadString();
        var timestamp = new DateTime(reader.ReadInt64(), DateTimeKind.Utc);
        return new ChatMessage(id, room, sender, text, timestamp);
    }
}
