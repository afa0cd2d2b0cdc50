namespace Hubs.Server.Notifications;

/// <summary>The SignalR group behind a topic; the prefix keeps topics apart from any other group of the hub.</summary>
internal static class TopicGroups
{
    public static string For(string topic) => "topic:" + topic;
}
