using Hubs.Contracts;

namespace Hubs.Tests.Infrastructure;

/// <summary>Records every <see cref="IChatClient"/> event a connection receives, per kind and in one ordered log.</summary>
public sealed class ChatEvents : IChatClient
{
    /// <summary>Every event in arrival order, as (method name, payload).</summary>
    public EventStream<(string Method, object Payload)> All { get; } = new();

    public EventStream<WelcomeMessage> Welcome { get; } = new();
    public EventStream<UserEvent> UserConnected { get; } = new();
    public EventStream<UserEvent> UserDisconnected { get; } = new();
    public EventStream<ChatMessage> Messages { get; } = new();
    public EventStream<ChatMessage> RoomMessages { get; } = new();
    public EventStream<ChatMessage> DirectMessages { get; } = new();
    public EventStream<RoomEvent> UserJoined { get; } = new();
    public EventStream<RoomEvent> UserLeft { get; } = new();

    Task IChatClient.Welcome(WelcomeMessage message) => Record(nameof(IChatClient.Welcome), Welcome, message);
    Task IChatClient.UserConnected(UserEvent userEvent) => Record(nameof(IChatClient.UserConnected), UserConnected, userEvent);
    Task IChatClient.UserDisconnected(UserEvent userEvent) => Record(nameof(IChatClient.UserDisconnected), UserDisconnected, userEvent);
    Task IChatClient.ReceiveMessage(ChatMessage message) => Record(nameof(IChatClient.ReceiveMessage), Messages, message);
    Task IChatClient.ReceiveRoomMessage(ChatMessage message) => Record(nameof(IChatClient.ReceiveRoomMessage), RoomMessages, message);
    Task IChatClient.ReceiveDirectMessage(ChatMessage message) => Record(nameof(IChatClient.ReceiveDirectMessage), DirectMessages, message);
    Task IChatClient.UserJoined(RoomEvent roomEvent) => Record(nameof(IChatClient.UserJoined), UserJoined, roomEvent);
    Task IChatClient.UserLeft(RoomEvent roomEvent) => Record(nameof(IChatClient.UserLeft), UserLeft, roomEvent);

    private Task Record<T>(string method, EventStream<T> stream, T payload)
    {
        All.Add((method, payload!));
        return stream.Add(payload);
    }
}
