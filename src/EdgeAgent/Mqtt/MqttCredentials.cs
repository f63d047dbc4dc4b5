using System.Text;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// The user name and password the agent presents to the broker (and, beyond loopback, demands in its embedded
/// broker), gathered from where deployments keep secrets. For each of the two the first source that is set wins:
/// the setting itself (<c>Mqtt:Password</c>, which the environment can supply as <c>EDGEVISION_Mqtt__Password</c>),
/// then the file named by <c>Mqtt:PasswordFile</c>, then the systemd credential <c>mqtt-password</c> in
/// <c>$CREDENTIALS_DIRECTORY</c> (<c>LoadCredential=</c>). Setting a value and a file for the same thing is refused:
/// which one was meant cannot be guessed. Problems name the key and the file, never what the file holds.
/// </summary>
public sealed class MqttCredentials
{
    public const string UsernameCredential = "mqtt-username";
    public const string PasswordCredential = "mqtt-password";
    public const string CredentialsDirectoryVariable = "CREDENTIALS_DIRECTORY";

    // MQTT carries the user name and the password with a two-byte length [MQTT-1.5.4], [MQTT-1.5.6]; a bigger
    // file is a mistake (or /dev/zero), and reading stops there.
    private const int MaxBytes = ushort.MaxValue;

    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(5);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
        var credentials = Load(options, Environment.GetEnvironmentVariable(CredentialsDirectoryVariable), errors);
        return errors.Count == 0
            ? credentials
            : throw new EdgeVision.Models.UserFacingException("invalid configuration: " + string.Join("; ", errors), 2);
    }

    /// <summary>The credentials, adding every problem to <paramref name="errors"/> (one line each, naming the key).</summary>
    public static MqttCredentials Load(MqttOptions options, string? credentialsDirectory, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        const string S = MqttOptions.SectionName;
        var username = Pick(errors, $"{S}:Username", options.Username, $"{S}:UsernameFile", options.UsernameFile, credentialsDirectory, UsernameCredential);
        var password = Pick(errors, $"{S}:Password", options.Password, $"{S}:PasswordFile", options.PasswordFile, credentialsDirectory, PasswordCredential);

        // [MQTT-1.5.4-2]: no U+0000 in a UTF-8 string; the password is binary data and may hold anything.
        if (username is not null && username.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{S}:Username must not contain NUL");
        }

        CheckLength(errors, $"{S}:Username", username);
        CheckLength(errors, $"{S}:Password", password);
        return new MqttCredentials(username, password);
    }

    private static string? Pick(List<string> errors, string valueKey, string? value, string fileKey, string? file, string? credentialsDirectory, string credential)
    {
        var hasValue = !string.IsNullOrEmpty(value);
        var hasFile = !string.IsNullOrWhiteSpace(file);
        if (hasValue && hasFile)
        {
            errors.Add($"{valueKey} and {fileKey} are both set; keep one");
            return value;
        }

        if (hasValue)
        {
            return value;
        }

        if (hasFile)
        {
            return ReadSecret(errors, fileKey, file!);
        }

        if (!string.IsNullOrEmpty(credentialsDirectory) && Path.IsPathRooted(credentialsDirectory))
        {
            var path = Path.Combine(credentialsDirectory, credential);
            if (File.Exists(path))
            {
                return ReadSecret(errors, $"systemd credential {credential}", path);
            }
        }

        return null;
    }

    /// <summary>The file's text without one trailing line break (what `echo` and editors add).</summary>
    private static string? ReadSecret(List<string> errors, string key, string file)
    {
        if (file.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{key}: a file name must not contain NUL");
            return null;
        }

        var path = Path.GetFullPath(file);

        // A FIFO or a device would block the start for good; such a file gets a bounded wait instead.
        var reading = Task.Run(() => ReadBounded(path));
        byte[] bytes;
        try
        {
            if (!reading.Wait(ReadLimit))
            {
                errors.Add($"{key}: {path} could not be read within {ReadLimit.TotalSeconds:0} s (a pipe or a device?)");
                return null;
            }

            bytes = reading.Result;
        }
        catch (AggregateException ex) when (ex.InnerException is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            // These messages name the path at most, never the content.
            errors.Add($"{key}: cannot read {path}: {ex.InnerException.Message}");
            return null;
        }

        if (bytes.Length > MaxBytes)
        {
            errors.Add($"{key}: {path} holds more than {MaxBytes} bytes");
            return null;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            errors.Add($"{key}: {path} is not UTF-8 text");
            return null;
        }

        text = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        if (text.Length == 0)
        {
            errors.Add($"{key}: {path} is empty");
            return null;
        }

        return text;
    }

    /// <summary>At most one byte more than <see cref="MaxBytes"/>, so an endless file (/dev/zero) ends the read.</summary>
    private static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.None);
        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return buffer[..length];
    }

    private static void CheckLength(List<string> errors, string key, string? value)
    {
        if (value is not null && MqttTopics.Utf8Length(value) > MaxBytes)
        {
            errors.Add($"{key} must be at most {MaxBytes} UTF-8 bytes");
        }
    }
}
