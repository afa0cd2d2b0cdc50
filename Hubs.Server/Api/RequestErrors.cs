using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Api;

/// <summary>
/// Collects field errors for a REST request from the same validators the hubs use (they throw
/// <see cref="HubException"/>), so a rule and its message live in one place.
/// </summary>
internal sealed class RequestErrors
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    /// <summary>The validated value, or <c>default</c> with the error recorded under <paramref name="field"/>.</summary>
    public T? Check<T>(string field, Func<T> validate)
    {
        try
        {
            return validate();
        }
        catch (HubException error)
        {
            _errors[field] = [error.Message];
            return default;
        }
    }

    public void Add(string field, string message) => _errors[field] = [message];

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(_errors);

    public static ValidationProblem MissingBody(string shape) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["request"] = [$"A JSON body {shape} is required."] });
}
