using System.Net.Http.Json;
using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Client.Cli;

/// <summary>The console client: logs in through the dev token endpoint, then chats or runs one scripted task.</summary>
public static class ChatCli
{
    /// <summary>Runs the command line; returns the exit code (<see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Events arrive on a background task while commands run: one writer at a time.
        output = TextWriter.Synchronized(output);
        error = TextWriter.Synchronized(error);
        var (options, problem) = CliOptions.Parse(args);
        if (options is null)
        {
            await error.WriteLineAsync(problem);
            await error.WriteLineAsync(CliOptions.Usage);
            return ExitCodes.Usage;
        }

        string token;
        try
        {
            token = await LogInAsync(options, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"Could not log in at {options.Server}: {ex.Message}");
            return ExitCodes.Unavailable;
        }

        await using var client = new ChatClient(new HubClientOptions
        {
            ServerUrl = options.Server,
            Protocol = options.Protocol,
            AccessTokenProvider = () => Task.FromResult<string?>(token),
        });
        var printer = new ChatPrinter(output, options.User);
        client.ConnectionChanged += change => error.WriteLine(ChatPrinter.Describe(change));
        client.RoomRejoined += rejoined => error.WriteLine(ChatPrinter.Describe(rejoined));
        client.RoomRejoinFailed += failed => error.WriteLine($"-- could not re-join {failed.Room}: {failed.Error.Message}");
        try
        {
            await client.StartAsync(cancellationToken);
            if (options.Send is not null)
            {
                return await SendOnceAsync(client, options, output, cancellationToken);
            }
            if (options.Read is { } count)
            {
                return await ReadAsync(client, options, count, output, error, cancellationToken);
            }
            client.Subscribe(printer);
            return await new InteractiveSession(client, output, error).RunAsync(options.Room, input, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (HubException ex)
        {
            await error.WriteLineAsync($"Refused: {ex.Message}");
            return ExitCodes.Refused;
        }
        catch (HubConnectionLostException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return ExitCodes.ConnectionLost;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"Could not connect to {options.Server}: {ex.Message}");
            return ExitCodes.Unavailable;
        }
    }

    private static async Task<string> LogInAsync(CliOptions options, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = options.Server, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(options.User), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}: {body}", null, response.StatusCode);
        }
        var issued = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken);
        return issued?.AccessToken ?? throw new HttpRequestException("The token endpoint answered without a token.");
    }

    private static async Task<int> SendOnceAsync(ChatClient client, CliOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var text = options.Send!;
        MessageAck ack;
        if (options.Room is { } room)
        {
            await client.JoinRoomAsync(new JoinRoomRequest(room), cancellationToken);
            ack = await client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text), cancellationToken);
        }
        else if (options.To is { } to)
        {
            ack = await client.SendDirectMessageAsync(new SendDirectMessageRequest(to, text), cancellationToken);
        }
        else
        {
            ack = await client.SendMessageAsync(new SendMessageRequest(text), cancellationToken);
        }
        await output.WriteLineAsync(ack.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ExitCodes.Ok;
    }

    private static async Task<int> ReadAsync(ChatClient client, CliOptions options, int count, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var reader = new MessageReader(count, options.Room, output);
        using var subscription = client.Subscribe(reader);
        if (options.Room is { } room)
        {
            await client.JoinRoomAsync(new JoinRoomRequest(room), cancellationToken);
            await error.WriteLineAsync($"-- joined {room}");
        }
        await error.WriteLineAsync($"-- reading {count} messages");
        try
        {
            await reader.Done.WaitAsync(options.Timeout, cancellationToken);
            return ExitCodes.Ok;
        }
        catch (TimeoutException)
        {
            await error.WriteLineAsync($"Timed out after {options.Timeout.TotalSeconds:0.#} s with {reader.Received} of {count} messages.");
            return ExitCodes.Timeout;
        }
    }
}
