using Hubs.Contracts;

namespace Hubs.Tests.Infrastructure;

/// <summary>Records every <see cref="IChatClient"/> event a connection receives.</summary>
public sealed class ChatEvents : IChatClient
{
    public EventStream<WelcomeMessage> Welcome { get; } = new();
    public EventStream<UserEvent> UserConnected { get; } = new();
    public EventStream<UserEvent> UserDisconnected { get; } = new();
    public EventStream<ChatMessage> Messages { get; } = new();
    public EventStream<ChatMessage> RoomMessages { get; } = new();
    public EventStream<ChatMessage> DirectMessages { get; } = new();
    public EventStream<RoomEvent> UserJoined { get; } = new();
    public EventStream<RoomEvent> UserLeft { get; } = new();

    Task IChatClient.Welcome(WelcomeMessage message) => Welcome.Add(message);
    Task IChatClient.UserConnected(UserEvent userEvent) => UserConnected.Add(userEvent);
    Task IChatClient.UserDisconnected(UserEvent userEvent) => UserDisconnected.Add(userEvent);
    Task IChatClient.ReceiveMessage(ChatMessage message) => Messages.Add(message);
    Task IChatClient.ReceiveRoomMessage(ChatMessage message) => RoomMessages.Add(message);
    Task IChatClient.ReceiveDirectMessage(ChatMessage message) => DirectMessages.Add(message);
    Task IChatClient.UserJoined(RoomEvent roomEvent) => UserJoined.Add(roomEvent);
    Task IChatClient.UserLeft(RoomEvent roomEvent) => UserLeft.Add(roomEvent);
}
