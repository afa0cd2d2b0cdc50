using Hubs.Contracts;
using Hubs.Server.Auth;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hubs.Server.Admin;

public static class AdminExtensions
{
    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<ConnectionTrackingFilter>();
        // A global filter: every hub's connections can be closed, today's and tomorrow's.
        builder.Services.AddOptions<HubOptions>().Configure(hub => hub.AddFilter<ConnectionTrackingFilter>());
        builder.Services.AddSingleton<LocalConnectionTerminator>();
        // TryAdd: a scale-out engine may register a fan-out terminator that calls each instance's local one.
        builder.Services.TryAddSingleton<IConnectionTerminator>(sp => sp.GetRequiredService<LocalConnectionTerminator>());
        builder.Services.AddSingleton<RoomModerator>();
        return builder;
    }

    /// <summary>Maps the admin API; the admin role is required here, once: 401 without a token, 403 without the role.</summary>
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("").RequireAuthorization(HubClaims.AdminRole).WithTags("Admin");
        admin.MapGet(ApiRoutes.AdminUsers, AdminEndpoints.ListUsers)
            .WithName("ListOnlineUsers").WithSummary("Online users and how many chat connections each has open.");
        admin.MapPost(ApiRoutes.AdminUserDisconnect, AdminEndpoints.DisconnectUser)
            .WithName("DisconnectUser").WithSummary("Close every connection of a user; each is told the reason first.");
        admin.MapGet(ApiRoutes.AdminRooms, AdminEndpoints.ListRooms)
            .WithName("ListRooms").WithSummary("Rooms with at least one member and their member counts.");
        admin.MapGet(ApiRoutes.AdminRoomMembers, AdminEndpoints.GetRoomMembers)
            .WithName("GetRoomMembers").WithSummary("The users in a room.");
        admin.MapDelete(ApiRoutes.AdminRoomMember, AdminEndpoints.RemoveRoomMember)
            .WithName("RemoveRoomMember").WithSummary("Take a user out of a room; the room and the user get UserLeft.");
        admin.MapGet(ApiRoutes.AdminStats, AdminEndpoints.GetStats)
            .WithName("GetServerStats").WithSummary("One sample of the live server statistics.");
        return app;
    }
}
