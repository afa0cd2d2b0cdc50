using System.Text;

namespace Hubs.Server.Scaleout;

/// <summary>What one instance publishes for the others on a hub's backplane channel.</summary>
/// <remarks>
/// Binary: version, origin instance, kind, then for an invocation the target kind, target names, excluded
/// connection ids and the invocation serialized with one hub protocol; for a group change, connection and group.
/// </remarks>
internal sealed record BusEnvelope(
    string Origin,
    BusKind Kind,
    BusTarget Target,
    IReadOnlyList<string> Names,
    IReadOnlyList<string> Excluded,
    ReadOnlyMemory<byte> Payload)
{
    private const byte Version = 1;

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream(64 + Payload.Length);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(Origin);
            writer.Write((byte)Kind);
            writer.Write((byte)Target);
            WriteList(writer, Names);
            WriteList(writer, Excluded);
            writer.Write7BitEncodedInt(Payload.Length);
            writer.Write(Payload.Span);
        }
        return stream.ToArray();
    }

    public static BusEnvelope Parse(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"Backplane message version {version} is not supported (expected {Version}).");
        }
        var origin = reader.ReadString();
        var kind = (BusKind)reader.ReadByte();
        var target = (BusTarget)reader.ReadByte();
        var names = ReadList(reader);
        var excluded = ReadList(reader);
        var payload = reader.ReadBytes(reader.Read7BitEncodedInt());
        return new BusEnvelope(origin, kind, target, names, excluded, payload);
    }

    private static void WriteList(BinaryWriter writer, IReadOnlyList<string> values)
    {
        writer.Write7BitEncodedInt(values.Count);
        foreach (var value in values)
        {
            writer.Write(value);
        }
    }

    private static string[] ReadList(BinaryReader reader)
    {
        var values = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadString();
        }
        return values;
    }
}

internal enum BusKind : byte
{
    Invocation = 1,
    AddToGroup = 2,
    RemoveFromGroup = 3,
}

internal enum BusTarget : byte
{
    All = 1,
    Connections = 2,
    Groups = 3,
    Users = 4,
}
