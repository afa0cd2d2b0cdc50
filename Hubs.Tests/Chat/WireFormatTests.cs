using System.Reflection;
using System.Text.Json;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using MessagePack;

namespace Hubs.Tests.Chat;

/// <summary>
/// What a JavaScript client actually receives: the raw frames of both protocols carry the same camelCase fields
/// and timestamps as one value (an ISO-8601 UTC string in JSON, a MessagePack timestamp).
/// </summary>
public sealed class WireFormatTests(HubsApplication app) : IClassFixture<HubsApplication>
{
    private static readonly MessagePackSerializerOptions s_untyped = MessagePack.Resolvers.ContractlessStandardResolver.Options;

    [Fact]
    public async Task JsonFramesUseCamelCaseFieldsAndIsoUtcTimestamps()
    {
        var user = Names.User("raw");
        await using var socket = await RawHubSocket.ConnectAsync(app, user, "json");

        using var welcome = JsonDocument.Parse(await socket.NextMessageAsync());
        // clientMessageId is omitted on purpose: optional request fields may be left out.
        await socket.SendJsonAsync("""{"type":1,"invocationId":"1","target":"SendMessage","arguments":[{"text":"hi"}]}""");
        // Other users of the shared server may come and go meanwhile; their presence events are not under test.
        using var message = await NextJsonAsync(socket, frame => frame.TryGetProperty("target", out var target) && target.GetString() == "ReceiveMessage");
        using var completion = await NextJsonAsync(socket, frame => frame.GetProperty("type").GetInt32() == 3);

        var welcomeArg = welcome.RootElement.GetProperty("arguments")[0];
        Assert.Equal("Welcome", welcome.RootElement.GetProperty("target").GetString());
        Assert.Equal(["connectionId", "user", "serverTime"], PropertyNames(welcomeArg));
        Assert.Equal(["id", "name"], PropertyNames(welcomeArg.GetProperty("user")));
        AssertIsoUtc(welcomeArg.GetProperty("serverTime"));

        var chat = message.RootElement.GetProperty("arguments")[0];
        Assert.Equal("ReceiveMessage", message.RootElement.GetProperty("target").GetString());
        Assert.Equal(["id", "room", "sender", "text", "timestamp", "recipientId"], PropertyNames(chat));
        Assert.Equal(JsonValueKind.Number, chat.GetProperty("id").ValueKind);
        Assert.Equal(JsonValueKind.Null, chat.GetProperty("room").ValueKind);
        Assert.Equal(JsonValueKind.Null, chat.GetProperty("recipientId").ValueKind);
        Assert.Equal("hi", chat.GetProperty("text").GetString());
        AssertIsoUtc(chat.GetProperty("timestamp"));

        var ack = completion.RootElement.GetProperty("result");
        Assert.Equal(["id", "timestamp", "localOnly"], PropertyNames(ack));
        Assert.Equal(chat.GetProperty("id").GetInt64(), ack.GetProperty("id").GetInt64());
        Assert.False(ack.GetProperty("localOnly").GetBoolean());
    }

    [Fact]
    public async Task MessagePackFramesUseCamelCaseKeysAndTimestampExtensions()
    {
        var user = Names.User("raw");
        await using var socket = await RawHubSocket.ConnectAsync(app, user, "messagepack");

        var welcome = Decode(await socket.NextMessageAsync());
        // [type=1 invocation, headers, invocationId, target, arguments, streamIds]; clientMessageId omitted.
        await socket.SendMessagePackAsync([1, new Dictionary<string, string>(), "1", "SendMessage",
            new object[] { new Dictionary<string, object> { ["text"] = "hi" } }, Array.Empty<string>()]);
        var message = await NextMessagePackAsync(socket, frame => frame.Length > 3 && Equals(frame[3], "ReceiveMessage"));
        var completion = await NextMessagePackAsync(socket, frame => Convert.ToInt32(frame[0], System.Globalization.CultureInfo.InvariantCulture) == 3);

        Assert.Equal("Welcome", welcome[3]);
        var welcomeArg = Map(((object[])welcome[4])[0]);
        Assert.Equal(["connectionId", "user", "serverTime"], welcomeArg.Keys);
        Assert.Equal(["id", "name"], Map(welcomeArg["user"]).Keys);
        // The untyped reader turns only a MessagePack timestamp extension into a DateTime; a
        // DateTimeOffset would have arrived as a two-element array.
        Assert.IsType<DateTime>(welcomeArg["serverTime"]);

        Assert.Equal("ReceiveMessage", message[3]);
        var chat = Map(((object[])message[4])[0]);
        Assert.Equal(["id", "room", "sender", "text", "timestamp", "recipientId"], chat.Keys);
        Assert.Null(chat["room"]);
        Assert.Equal("hi", chat["text"]);
        Assert.Equal(["id", "name"], Map(chat["sender"]).Keys);
        Assert.IsType<DateTime>(chat["timestamp"]);

        // [type=3 completion, headers, invocationId, resultKind=3 (has result), result]
        Assert.Equal(3, Convert.ToInt32(completion[0], System.Globalization.CultureInfo.InvariantCulture));
        var ack = Map(completion[4]);
        Assert.Equal(["id", "timestamp", "localOnly"], ack.Keys);
        Assert.False(Assert.IsType<bool>(ack["localOnly"]));
        Assert.Equal(Convert.ToInt64(chat["id"], System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(ack["id"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void EveryWireTypeDeclaresACamelCaseMessagePackKeyMatchingItsJsonName()
    {
        var wireTypes = typeof(IChatHub).Assembly.GetExportedTypes()
            .Where(type => type.GetCustomAttribute<MessagePackObjectAttribute>() is not null)
            .ToList();
        var hubTypes = typeof(IChatHub).GetMethods().SelectMany(m => m.GetParameters().Select(p => p.ParameterType))
            .Concat(typeof(IChatClient).GetMethods().SelectMany(m => m.GetParameters().Select(p => p.ParameterType)));

        Assert.All(hubTypes, type => Assert.Contains(type, wireTypes));
        Assert.All(wireTypes.SelectMany(type => type.GetProperties()), property =>
        {
            var key = property.GetCustomAttribute<KeyAttribute>();
            Assert.True(key is not null, $"{property.DeclaringType!.Name}.{property.Name} has no [Key].");
            Assert.Equal(JsonNamingPolicy.CamelCase.ConvertName(property.Name), key.StringKey);
        });
    }

    private static async Task<JsonDocument> NextJsonAsync(RawHubSocket socket, Func<JsonElement, bool> wanted)
    {
        while (true)
        {
            var frame = JsonDocument.Parse(await socket.NextMessageAsync());
            if (wanted(frame.RootElement))
            {
                return frame;
            }
            frame.Dispose();
        }
    }

    private static async Task<object[]> NextMessagePackAsync(RawHubSocket socket, Func<object[], bool> wanted)
    {
        while (true)
        {
            var frame = Decode(await socket.NextMessageAsync());
            if (wanted(frame))
            {
                return frame;
            }
        }
    }

    private static object[] Decode(byte[] message) => (object[])MessagePackSerializer.Deserialize<object>(message, s_untyped)!;

    private static Dictionary<string, object?> Map(object? value) =>
        ((IDictionary<object, object?>)value!).ToDictionary(pair => (string)pair.Key, pair => pair.Value);

    private static string[] PropertyNames(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static void AssertIsoUtc(JsonElement value)
    {
        Assert.Equal(JsonValueKind.String, value.ValueKind);
        var text = value.GetString()!;
        Assert.EndsWith("Z", text, StringComparison.Ordinal);
        Assert.True(DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out var parsed), text);
        Assert.Equal(DateTimeKind.Utc, parsed.Kind);
    }
}
