using Hubs.Server.Auth;
using Hubs.Server.Chat;
using Hubs.Server.Limits;
using Hubs.Server.Observability;
using Hubs.Server.State;

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddAuth();
builder.AddLimits();
builder.AddHubState();
builder.AddChat();

var app = builder.Build();

app.UseLimits();
app.UseAuthentication();
app.UseAuthorization();

app.MapObservability();
app.MapAuth();
app.MapChat();

app.Run();

// Exposed for WebApplicationFactory<Program> in the tests.
public partial class Program;
