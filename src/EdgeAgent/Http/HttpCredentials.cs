using System.Security.Cryptography;
using System.Text;
using EdgeVision.EdgeAgent.Hosting;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>
/// What a request must present when the web surface has credentials: HTTP Basic with the user name and password,
/// or a bearer token. Each secret comes from its setting, its file or a systemd credential (<see cref="Secrets"/>).
/// Comparisons take the same time whatever the guess, and nothing here is ever written anywhere.
/// </summary>
internal sealed class HttpCredentials
{
    public const string PasswordCredential = "http-password";
    public const string TokenCredential = "http-token";
    public const int MinPasswordLength = 8;
    public const int MinTokenLength = 16;
    private const int MaxBytes = 4096;

    private readonly byte[]? _basic;
    private readonly byte[]? _token;

    private HttpCredentials(string username, string? password, string? token)
    {
        Username = username;
        // Hashed once, so that every comparison is of 32 bytes whatever the lengths (no length leaks through timing).
        _basic = password is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(username + ":" + password));
        _token = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    public string Username { get; }

    /// <summary>A password or a token is set: every request but liveness must carry one.</summary>
    public bool Required => _basic is not null || _token is not null;

    public bool HasPassword => _basic is not null;

    public bool HasToken => _token is not null;

    /// <summary>The credentials the section gives, adding every problem to <paramref name="errors"/> (one line each, naming the key).</summary>
    public static HttpCredentials Load(HttpOptions options, string? credentialsDirectory, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        const string S = HttpOptions.SectionName;
        var password = Secrets.Pick(errors, $"{S}:Password", options.Password, $"{S}:PasswordFile", options.PasswordFile, credentialsDirectory, PasswordCredential, MaxBytes);
        var token = Secrets.Pick(errors, $"{S}:Token", options.Token, $"{S}:TokenFile", options.TokenFile, credentialsDirectory, TokenCredential, MaxBytes);
        var username = options.Username ?? string.Empty;
        if (username.Length == 0 || username.Length > 256 || username.Contains(':', StringComparison.Ordinal) || username.Any(char.IsControl))
        {
            // RFC 7617 section 2: the user-id cannot hold a colon; control characters cannot be typed into a prompt.
            errors.Add($"{S}:Username: must be 1 to 256 characters without ':' or control characters");
        }

        if (password is not null && (password.Length < MinPasswordLength || password.Any(char.IsControl)))
        {
            errors.Add($"{S}:Password: must be at least {MinPasswordLength} characters without control characters");
            password = null;
        }

        if (token is not null && (token.Length < MinTokenLength || token.Any(c => c <= ' ' || c > '~')))
        {
            // RFC 6750 section 2.1: a b64token is visible ASCII; short tokens are guessable.
            errors.Add($"{S}:Token: must be at least {MinTokenLength} visible ASCII characters");
            token = null;
        }

        return new HttpCredentials(username, password, token);
    }

    /// <summary>True when the Authorization header value carries these credentials (Basic or Bearer).</summary>
    public bool Accepts(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization) || authorization.Length > 8192)
        {
            return false;
        }

        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return false;
        }

        var scheme = authorization.AsSpan(0, space);
        var value = authorization.AsSpan(space + 1).Trim();
        if (_basic is not null && scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = new byte[(value.Length / 4 * 3) + 3];
            if (!Convert.TryFromBase64Chars(value, bytes, out var written))
            {
                return false;
            }

            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(bytes.AsSpan(0, written)), _basic);
        }

        if (_token is not null && scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(value.ToString())), _token);
        }

        return false;
    }
}
