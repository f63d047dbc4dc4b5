using EdgeVision.EdgeAgent.Hosting;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// The user name and password the agent presents to the broker (and, beyond loopback, demands in its embedded
/// broker), gathered from where deployments keep secrets. For each of the two the first source that is set wins:
/// the setting itself (<c>Mqtt:Password</c>, which the environment can supply as <c>EDGEVISION_Mqtt__Password</c>),
/// then the file named by <c>Mqtt:PasswordFile</c>, then the systemd credential <c>mqtt-password</c> in
/// <c>$CREDENTIALS_DIRECTORY</c> (<c>LoadCredential=</c>). Setting a value and a file for the same thing is refused:
/// which one was meant cannot be guessed. Problems name the key and the file, never what the file holds.
/// </summary>
internal sealed class MqttCredentials
{
    public const string UsernameCredential = "mqtt-username";
    public const string PasswordCredential = "mqtt-password";
    public const string CredentialsDirectoryVariable = Secrets.CredentialsDirectoryVariable;

    // MQTT carries the user name and the password with a two-byte length [MQTT-1.5.4], [MQTT-1.5.6]; a bigger
    // file is a mistake (or /dev/zero), and reading stops there.
    private const int MaxBytes = ushort.MaxValue;

    private MqttCredentials(string? username, string? password)
    {
        Username = username;
        Password = password;
    }

    public string? Username { get; }

    public string? Password { get; }

    /// <summary>Both a user name and a password: what the embedded broker needs before it listens beyond loopback.</summary>
    public bool IsComplete => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);

    /// <summary>The credentials for this process (systemd's credentials directory from the environment); throws (exit 2) on a problem.</summary>
    public static MqttCredentials Load(MqttOptions options)
    {
        var errors = new List<string>();
        var credentials = Load(options, Secrets.CredentialsDirectory, errors);
        return errors.Count == 0
            ? credentials
            : throw new UserFacingException("invalid configuration: " + string.Join("; ", errors), 2);
    }

    /// <summary>The credentials, adding every problem to <paramref name="errors"/> (one line each, naming the key).</summary>
    public static MqttCredentials Load(MqttOptions options, string? credentialsDirectory, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        const string S = MqttOptions.SectionName;
        var username = Secrets.Pick(errors, $"{S}:Username", options.Username, $"{S}:UsernameFile", options.UsernameFile, credentialsDirectory, UsernameCredential, MaxBytes);
        var password = Secrets.Pick(errors, $"{S}:Password", options.Password, $"{S}:PasswordFile", options.PasswordFile, credentialsDirectory, PasswordCredential, MaxBytes);

        // [MQTT-1.5.4-2]: no U+0000 in a UTF-8 string; the password is binary data and may hold anything.
        if (username is not null && username.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{S}:Username must not contain NUL");
        }

        CheckLength(errors, $"{S}:Username", username);
        CheckLength(errors, $"{S}:Password", password);
        return new MqttCredentials(username, password);
    }

    private static void CheckLength(List<string> errors, string key, string? value)
    {
        if (value is not null && MqttTopics.Utf8Length(value) > MaxBytes)
        {
            errors.Add($"{key} must be at most {MaxBytes} UTF-8 bytes");
        }
    }
}
