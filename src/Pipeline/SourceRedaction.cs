namespace EdgeVision.Pipeline;

/// <summary>
/// Hides the credentials of camera URLs (<c>rtsp://user:password@host/…</c>) wherever a source could be shown: log
/// lines, exception messages, MQTT payloads, configuration errors. The user name is kept — it tells which account
/// a camera uses and is rarely a secret — and the password becomes <see cref="Mask"/>. The user-info is found by
/// parsing the URL with <see cref="Uri"/>, so percent-encoded '@', ':', '.' and '%' in names and IPv6 hosts are
/// handled; a string that does not parse, or whose user-info is ambiguous (a raw '@' in the password), is masked
/// conservatively: everything between "://" and the last '@' of the token becomes <see cref="Mask"/>. A user-info
/// without ':' may itself be a token (<c>https://APIKEY@host</c>) and is masked whole.
/// </summary>
public static class SourceRedaction
{
    public const string Mask = "***";

    private const string SchemeSeparator = "://";

    // Characters that end a URL inside a longer message (quotes OpenCV puts around file names, spaces, brackets of
    // log formats). '[' and ']' are not among them: they enclose IPv6 hosts.
    private static readonly char[] TokenEnds = [' ', '\t', '\r', '\n', '\'', '"', '<', '>', '(', ')', ',', ';'];

    /// <summary>The source fit to show: a URL without its password; anything else (a file, a device) as it is.</summary>
    public static string Redact(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var separator = source.IndexOf(SchemeSeparator, StringComparison.Ordinal);
        if (separator < 0)
        {
            return source;
        }

        var authorityStart = separator + SchemeSeparator.Length;
        var lastAt = source.LastIndexOf('@');
        if (lastAt < authorityStart)
        {
            return source;
        }

        var parsed = Uri.TryCreate(source, UriKind.Absolute, out var uri);
        if (parsed && uri!.UserInfo.Length == 0 && source.IndexOfAny(['/', '?', '#'], authorityStart) is >= 0 and var pathStart
            && pathStart < source.IndexOf('@', authorityStart))
        {
            // The '@' is in the path or query, not in the authority: there are no credentials.
            return source;
        }

        if (parsed
            && uri!.UserInfo.Length > 0
            && string.CompareOrdinal(source, authorityStart, uri.UserInfo, 0, uri.UserInfo.Length) == 0
            && authorityStart + uri.UserInfo.Length == lastAt)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var kept = colon > 0 ? uri.UserInfo[..colon] + ":" + Mask : Mask;
            return string.Concat(source.AsSpan(0, authorityStart), kept, source.AsSpan(lastAt));
        }

        return string.Concat(source.AsSpan(0, authorityStart), Mask, source.AsSpan(lastAt));
    }

    /// <summary>
    /// A message (from OpenCV, FFmpeg, an exception) with every URL in it redacted, and any remaining trace of
    /// <paramref name="source"/>'s password — as written or percent-decoded — masked too.
    /// </summary>
    public static string Scrub(string text, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = RedactUrlsIn(text);
        if (source is null || Password(source) is not { Length: > 0 } password)
        {
            return result;
        }

        result = result.Replace(password, Mask, StringComparison.Ordinal);
        var decoded = Uri.UnescapeDataString(password);
        return decoded.Length > 0 ? result.Replace(decoded, Mask, StringComparison.Ordinal) : result;
    }

    private static string RedactUrlsIn(string text)
    {
        if (!text.Contains(SchemeSeparator, StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        var position = 0;
        while (position < text.Length)
        {
            var separator = text.IndexOf(SchemeSeparator, position, StringComparison.Ordinal);
            if (separator < 0)
            {
                builder.Append(text, position, text.Length - position);
                break;
            }

            var start = separator;
            while (start > position && (char.IsAsciiLetterOrDigit(text[start - 1]) || text[start - 1] is '+' or '-' or '.'))
            {
                start--;
            }

            var end = text.IndexOfAny(TokenEnds, separator + SchemeSeparator.Length);
            end = end < 0 ? text.Length : end;
            builder.Append(text, position, start - position);
            builder.Append(Redact(text[start..end]));
            position = end;
        }

        return builder.ToString();
    }

    /// <summary>The password part of a URL's user-info as written (percent-encoded), or null.</summary>
    private static string? Password(string source)
    {
        var separator = source.IndexOf(SchemeSeparator, StringComparison.Ordinal);
        var lastAt = source.LastIndexOf('@');
        if (separator < 0 || lastAt < separator)
        {
            return null;
        }

        var userInfo = source[(separator + SchemeSeparator.Length)..lastAt];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? userInfo : userInfo[(colon + 1)..];
    }
}
