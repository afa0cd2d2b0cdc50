namespace Hubs.Contracts;

/// <summary>URL paths of the hubs, shared by the server's endpoint mapping and every client.</summary>
public static class HubRoutes
{
    /// <summary>Every hub lives under this path; browsers may pass the token as <c>?access_token=</c> here.</summary>
    public const string Prefix = "/hubs";

    /// <summary>The chat hub: global chat, rooms and direct messages.</summary>
    public const string Chat = Prefix + "/chat";

    /// <summary>The notification hub: topic subscriptions, server notifications and the live stats stream.</summary>
    public const string Notifications = Prefix + "/notifications";
}
