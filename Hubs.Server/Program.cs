using Hubs.Server.Admin;
using Hubs.Server.Api;
using Hubs.Server.Auth;
using Hubs.Server.Chat;
using Hubs.Server.Lifetime;
using Hubs.Server.Limits;
using Hubs.Server.Notifications;
using Hubs.Server.Observability;
using Hubs.Server.State;
using Hubs.Server.Stats;
using Hubs.Server.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddAuth();
builder.AddLimits();
builder.AddSlowConsumerLimits();
builder.AddHubState();
builder.AddChat();
builder.AddStats();
builder.AddNotifications();
builder.AddAdmin();
builder.AddApiDocs();
builder.AddBadRequestProblems();

var app = builder.Build();

app.UseHubShutdownGate();
app.UseBadRequestProblems();
app.UseLimits();
app.UseAuthentication();
app.UseAuthorization();

app.MapObservability();
app.MapAuth();
app.MapChat();
app.MapNotifications();
app.MapAdmin();
app.MapApiDocs();
app.MapWebPages();

app.Run();

// Exposed for WebApplicationFactory<Program> in the tests.
public partial class Program;
