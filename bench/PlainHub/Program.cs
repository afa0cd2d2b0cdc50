using Hubs.Bench.PlainHub;
using Hubs.Contracts;

// Stock SignalR with default options: the reference the bench compares RealtimeHubs with.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSignalR().AddMessagePackProtocol();
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();
app.MapGet("/health/ready", () => "ok");
app.MapHub<PlainChatHub>(HubRoutes.Chat);
app.Run();
