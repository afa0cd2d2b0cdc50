using System.Globalization;
using Hubs.Contracts;

namespace Hubs.Client.Cli;

/// <summary>Prints what the server pushes, one line each.</summary>
internal sealed class ChatPrinter(TextWriter output, string me) : IChatClient
{
    public static string Format(ChatMessage message) =>
        message.Room is { } room ? $"[{room}] {message.Sender.Name}: {message.Text}" : $"{message.Sender.Name}: {message.Text}";

    public static string Describe(ConnectionEvent change) => change switch
    {
        ConnectingEvent => "-- connecting",
        ConnectedEvent => "-- connected",
        ReconnectingEvent retry => string.Create(CultureInfo.InvariantCulture,
            $"-- reconnecting (attempt {retry.Attempt} in {retry.Delay.TotalSeconds:0.0} s){(retry.Error is null ? "" : ": " + retry.Error.Message)}"),
        ReconnectedEvent => "-- reconnected",
        DisconnectedEvent { Reason: null } => "-- disconnected",
        DisconnectedEvent lost => $"-- disconnected: {lost.Reason!.Message}",
        GaveUpEvent gaveUp => $"-- gave up after {gaveUp.Attempts} retries: {gaveUp.LastError?.Message}",
        _ => $"-- {change}",
    };

    public static string Describe(RoomRejoinedEvent rejoined) => rejoined.HistoryTruncated
        ? $"-- re-joined {rejoined.Room}: {rejoined.MissedMessages} missed messages shown, older ones were lost"
        : $"-- re-joined {rejoined.Room}: {rejoined.MissedMessages} missed messages";

    public Task Welcome(WelcomeMessage message) => output.WriteLineAsync($"-- welcome, {message.User.Name}");

    public Task UserConnected(UserEvent userEvent) => output.WriteLineAsync($"* {userEvent.User.Name} is online");

    public Task UserDisconnected(UserEvent userEvent) => output.WriteLineAsync($"* {userEvent.User.Name} went offline");

    public Task ReceiveMessage(ChatMessage message) => output.WriteLineAsync(Format(message));

    public Task ReceiveRoomMessage(ChatMessage message) => output.WriteLineAsync(Format(message));

    public Task ReceiveDirectMessage(ChatMessage message) => output.WriteLineAsync(message.Sender.Id == me
        ? $"(dm) you: {message.Text}"
        : $"(dm) {message.Sender.Name}: {message.Text}");

    public Task UserJoined(RoomEvent roomEvent) => output.WriteLineAsync($"* {roomEvent.User.Name} joined {roomEvent.Room}");

    public Task UserLeft(RoomEvent roomEvent) => output.WriteLineAsync($"* {roomEvent.User.Name} left {roomEvent.Room}");
}
