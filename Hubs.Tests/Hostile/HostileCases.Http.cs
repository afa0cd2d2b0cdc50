using System.Net;
using System.Net.Http.Headers;
using Hubs.Contracts;

namespace Hubs.Tests.Hostile;

public static partial class HostileCases
{
    private const string Negotiate = HubRoutes.Chat + "/negotiate?negotiateVersion=1";

    private static HostileCase[] Http =>
    [
        Case("http", "negotiate without a token", async c =>
        {
            using var http = c.Http(authenticated: false);
            using var response = await http.PostAsync(Negotiate, null);
            return Expect.Status(response, HttpStatusCode.Unauthorized);
        }),
        Case("http", "negotiate with a garbage token", async c =>
        {
            using var http = c.Http(authenticated: false);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.jwt");
            using var response = await http.PostAsync(Negotiate, null);
            return Expect.Status(response, HttpStatusCode.Unauthorized);
        }),
        Case("http", "negotiate with a token whose signature was altered", async c =>
        {
            using var http = c.Http(authenticated: false);
            var token = c.Token();
            var forged = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);
            using var response = await http.PostAsync(Negotiate, null);
            return Expect.Status(response, HttpStatusCode.Unauthorized);
        }),
        Case("http", "negotiate with GET", async c =>
        {
            using var http = c.Http();
            using var response = await http.GetAsync(Negotiate);
            return Expect.Status(response, HttpStatusCode.MethodNotAllowed);
        }),
        Case("http", "WebSocket upgrade without a token", async c =>
        {
            var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => HostileSocket.OpenAsync(c.Address, token: null));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
            return "upgrade refused: 401";
        }),
        Case("http", "WebSocket upgrade to a connection token that does not exist", async c =>
        {
            var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => HostileSocket.OpenAsync(c.Address, c.Token(), query: "id=forged-token"));
            Assert.Equal(HttpStatusCode.NotFound, refused.Status);
            return "upgrade refused: 404";
        }),
        Case("http", "long polling a connection token that does not exist", async c =>
        {
            using var http = c.Http();
            using var response = await http.GetAsync(HubRoutes.Chat + "?id=forged-token");
            return Expect.Status(response, HttpStatusCode.NotFound);
        }),
        Case("http", "posting data to a connection token that does not exist", async c =>
        {
            using var http = c.Http();
            using var response = await http.PostAsync(HubRoutes.Chat + "?id=forged-token", HostileContext.Text("{}" + Sep));
            return Expect.Status(response, HttpStatusCode.NotFound);
        }),
        Case("http", "posting data without a connection token", async c =>
        {
            using var http = c.Http();
            using var response = await http.PostAsync(HubRoutes.Chat, HostileContext.Text("{}" + Sep));
            return Expect.Status(response, HttpStatusCode.BadRequest);
        }),
        Case("http", "server-sent events on a connection token that does not exist", async c =>
        {
            using var http = c.Http();
            using var request = new HttpRequestMessage(HttpMethod.Get, HubRoutes.Chat + "?id=forged-token");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await http.SendAsync(request);
            return Expect.Status(response, HttpStatusCode.NotFound);
        }),
        Case("http", "deleting a connection token that does not exist", async c =>
        {
            using var http = c.Http();
            using var response = await http.DeleteAsync(HubRoutes.Chat + "?id=forged-token");
            return Expect.Status(response, HttpStatusCode.NotFound);
        }),
        Case("http", "polling with the public connection id instead of the secret token", async c =>
        {
            using var http = c.Http();
            using var negotiated = await http.PostAsync(Negotiate, null);
            using var json = System.Text.Json.JsonDocument.Parse(await negotiated.Content.ReadAsStringAsync());
            var connectionId = json.RootElement.GetProperty("connectionId").GetString();
            using var response = await http.GetAsync(HubRoutes.Chat + "?id=" + connectionId);
            return Expect.Status(response, HttpStatusCode.NotFound);
        }),
        Case("http", "two long polls at once on one connection", async c =>
        {
            using var http = c.Http();
            var token = await c.NegotiateAsync(http);
            using var first = await http.GetAsync(HubRoutes.Chat + "?id=" + token);   // the first poll returns at once
            using var handshake = await http.PostAsync(HubRoutes.Chat + "?id=" + token, HostileContext.Text("""{"protocol":"json","version":1}""" + Sep));
            var poll = http.GetAsync(HubRoutes.Chat + "?id=" + token);
            using var welcome = await poll;                                              // handshake response and Welcome
            var second = http.GetAsync(HubRoutes.Chat + "?id=" + token);
            var third = http.GetAsync(HubRoutes.Chat + "?id=" + token);
            await Task.WhenAny(second, third);                                         // one poll must give way
            using var delete = await http.DeleteAsync(HubRoutes.Chat + "?id=" + token); // ends the other
            using var secondDone = await second;
            using var thirdDone = await third;
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, handshake.StatusCode);
            Assert.Equal(HttpStatusCode.OK, welcome.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
            return $"concurrent polls answered {(int)secondDone.StatusCode} and {(int)thirdDone.StatusCode}; DELETE {(int)delete.StatusCode}";
        }),
        Case("http", "garbage posted as the handshake of a long-polling connection", async c =>
        {
            using var http = c.Http();
            var token = await c.NegotiateAsync(http);
            using var first = await http.GetAsync(HubRoutes.Chat + "?id=" + token);
            using var posted = await http.PostAsync(HubRoutes.Chat + "?id=" + token, HostileContext.Text("\u0000\u0001garbage" + Sep));
            using var answer = await http.GetAsync(HubRoutes.Chat + "?id=" + token);
            var body = await answer.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            Assert.Contains("\"error\"", body, StringComparison.Ordinal);
            return $"handshake refused in the poll: {body.TrimEnd('\u001e')}";
        }),
        Case("http", "a 20 KB query string", async c =>
        {
            using var http = c.Http();
            using var response = await http.PostAsync(Negotiate + "&junk=" + new string('q', 20 * 1024), null);
            return Expect.Status(response, HttpStatusCode.RequestUriTooLong);
        }),
        Case("http", "a 40 KB request header", async c =>
        {
            using var http = c.Http();
            using var request = new HttpRequestMessage(HttpMethod.Post, Negotiate);
            request.Headers.Add("X-Junk", new string('h', 40 * 1024));
            using var response = await http.SendAsync(request);
            return Expect.Status(response, HttpStatusCode.RequestHeaderFieldsTooLarge);
        }),
    ];
}
