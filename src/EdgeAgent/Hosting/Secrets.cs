using System.Text;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// A secret (a password, a token) from where deployments keep them, first source set wins: the setting itself
/// (which the environment can supply, as <c>EDGEVISION_Mqtt__Password</c>), then the file a second setting names,
/// then a systemd credential in <c>$CREDENTIALS_DIRECTORY</c> (<c>LoadCredential=</c>). A value and a file for the
/// same secret is refused: which one was meant cannot be guessed. Problems name the key and the file, never what
/// the file holds.
/// </summary>
internal static class Secrets
{
    public const string CredentialsDirectoryVariable = "CREDENTIALS_DIRECTORY";

    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(5);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>This process's systemd credentials directory, if it runs under one.</summary>
    public static string? CredentialsDirectory => Environment.GetEnvironmentVariable(CredentialsDirectoryVariable);

    public static string? Pick(List<string> errors, string valueKey, string? value, string fileKey, string? file, string? credentialsDirectory, string credential, int maxBytes)
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
            return ReadSecret(errors, fileKey, file!, maxBytes);
        }

        if (!string.IsNullOrEmpty(credentialsDirectory) && Path.IsPathRooted(credentialsDirectory))
        {
            var path = Path.Combine(credentialsDirectory, credential);
            if (File.Exists(path))
            {
                return ReadSecret(errors, $"systemd credential {credential}", path, maxBytes);
            }
        }

        return null;
    }

    /// <summary>The file's text without one trailing line break (what `echo` and editors add).</summary>
    private static string? ReadSecret(List<string> errors, string key, string file, int maxBytes)
    {
        if (file.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{key}: a file name must not contain NUL");
            return null;
        }

        var path = Path.GetFullPath(file);

        // A FIFO or a device would block the start for good; such a file gets a bounded wait instead.
        var reading = Task.Run(() => ReadBounded(path, maxBytes));
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

        if (bytes.Length > maxBytes)
        {
            errors.Add($"{key}: {path} holds more than {maxBytes} bytes");
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

    /// <summary>At most one byte more than the limit, so an endless file (/dev/zero) ends the read.</summary>
    private static byte[] ReadBounded(string path, int maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.None);
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return buffer[..length];
    }
}
