using Hubs.Contracts;

namespace Hubs.Client;

/// <summary>Typed client of the chat hub (<see cref="HubRoutes.Chat"/>) that survives disconnects.</summary>
/// <remarks>
/// <para>Every call maps to one <see cref="IChatHub"/> method; events arrive through
/// <see cref="HubClient{THandler}.Subscribe"/>. Connecting, reconnecting and the state events are those of
/// <see cref="HubClient{THandler}"/>; a connect or reconnect completes once the server has accepted the connection
/// (its <c>Welcome</c>, within <see cref="HubClientOptions.AcceptTimeout"/>). A first connect the server refuses (e.g.
/// over a connection limit) fails with its reason and is not retried; a refused reconnect is a failed attempt, retried
/// per the policy (the limit may still count the lost connection), unless the server sent its <c>Disconnecting</c>
/// notice.</para>
/// <para>After a reconnect the client re-joins its rooms from the last message it saw in each and delivers what
/// it missed, once and in order, before live messages (<see cref="RoomRejoined"/> tells how many and whether some
/// were lost). Sends carry a client message id, so one whose answer was lost to a disconnect is sent again and
/// delivered once. Calls made while reconnecting wait for the connection.</para>
/// <para>All members are thread-safe. Events and handlers run one at a time, in order, on a background task.</para>
/// </remarks>
public sealed partial class ChatClient : HubClient<IChatClient>
{
    private readonly RoomTracker _rooms;
    private UserInfo? _me;

    /// <summary>Creates a client; call <see cref="HubClient{THandler}.StartAsync"/> to connect.</summary>
    /// <exception cref="ArgumentException">The reconnect policy or the accept timeout is invalid.</exception>
    public ChatClient(HubClientOptions options)
        : base(options, HubRoutes.Chat, awaitsAcceptance: true)
    {
        _rooms = new RoomTracker(message => Dispatch(handler => handler.ReceiveRoomMessage(message)));
        RegisterClientMethods();
    }

    /// <summary>Rooms this client is in; they are re-joined after every reconnect.</summary>
    public IReadOnlyList<string> Rooms => _rooms.Rooms;

    private protected override void OnStopped() => _rooms.Clear();

    private void RegisterClientMethods()
    {
        Handle<WelcomeMessage>(nameof(IChatClient.Welcome), message =>
        {
            Volatile.Write(ref _me, message.User);
            Dispatch(handler => handler.Welcome(message));
            // The hub sends Welcome last, once it counts the connection as online: the connect is complete. After
            // the dispatch, so handlers see Welcome before Connected or Reconnected.
            Hub.Accept();
        });
        Handle<UserEvent>(nameof(IChatClient.UserConnected), change => Dispatch(handler => handler.UserConnected(change)));
        Handle<UserEvent>(nameof(IChatClient.UserDisconnected), change => Dispatch(handler => handler.UserDisconnected(change)));
        Handle<ChatMessage>(nameof(IChatClient.ReceiveMessage), message => Dispatch(handler => handler.ReceiveMessage(message)));
        Handle<ChatMessage>(nameof(IChatClient.ReceiveRoomMessage), _rooms.OnLive);
        Handle<ChatMessage>(nameof(IChatClient.ReceiveDirectMessage), message => Dispatch(handler => handler.ReceiveDirectMessage(message)));
        Handle<RoomEvent>(nameof(IChatClient.UserJoined), change => Dispatch(handler => handler.UserJoined(change)));
        Handle<RoomEvent>(nameof(IChatClient.UserLeft), change =>
        {
            // Told that we left while still in the room: an administrator removed us, so do not re-join it.
            if (change.User.Id == Volatile.Read(ref _me)?.Id)
            {
                _rooms.Leave(change.Room);
            }
            Dispatch(handler => handler.UserLeft(change));
        });
        HandleDisconnecting(nameof(IChatClient.Disconnecting), (handler, notice) => handler.Disconnecting(notice));
    }
}
