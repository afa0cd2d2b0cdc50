namespace Hubs.Server.Auth;

/// <summary>
/// Recognises signing keys an attacker would try first: values published in this repository (samples, the CI
/// placeholder), placeholder wording, and keys with so few distinct characters that their length is an illusion.
/// </summary>
internal static class SigningKeyStrength
{
    /// <summary>A random 32-byte key in base64 or hex has far more; "aaaa…" or "abab…" has one or two.</summary>
    public const int MinimumDistinctCharacters = 10;

    // Exact values that appear in this repository's files (test.sh validates the compose file with it).
    private static readonly string[] s_publishedKeys = ["compose-validation-only-0123456789abcdef"];

    // Wording of keys copied from samples and never replaced.
    private static readonly string[] s_placeholderWords =
    [
        "change-me", "changeme", "change_me", "replace-me", "replaceme", "placeholder", "your-secret", "yoursecret",
        "example", "0123456789", "abcdefghij",
    ];

    /// <summary>Why the key must not be used outside Development, or <c>null</c> when nothing is known against it.</summary>
    public static string? Weakness(string key)
    {
        if (s_publishedKeys.Contains(key, StringComparer.Ordinal))
        {
            return "is a value published in this repository";
        }
        if (s_placeholderWords.FirstOrDefault(word => key.Contains(word, StringComparison.OrdinalIgnoreCase)) is { } word)
        {
            return $"looks like a placeholder (contains '{word}')";
        }
        var distinct = key.Distinct().Count();
        return distinct < MinimumDistinctCharacters
            ? $"has only {distinct} distinct characters (at least {MinimumDistinctCharacters} expected from a random key)"
            : null;
    }
}
