namespace EdgeVision.EdgeAgent.Mqtt.Outbox;

/// <summary>Checks <see cref="OutboxOptions"/>; part of <see cref="MqttOptionsValidator"/>, which reports every bad key at once.</summary>
internal static class OutboxOptionsValidator
{
    /// <summary>Smallest byte bound: room for a few events, so a typo such as 64 (meant as MB) is caught.</summary>
    public const long MinBytes = 64 * 1024;

    /// <summary>Most publishes one MQTT connection can have waiting for a PUBACK: packet identifiers are 16 bits, 0 excluded.</summary>
    public const int MaxInFlightLimit = 65535;

    public static IReadOnlyList<string> Collect(OutboxOptions options, string section)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxBytes < MinBytes)
        {
            errors.Add($"{section}:MaxBytes must be at least {MinBytes} bytes, got {options.MaxBytes}");
        }

        if (options.MaxAge < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{section}:MaxAge must be at least 00:00:01 (MQTT message expiry counts whole seconds), got {options.MaxAge}");
        }

        if (options.MaxInFlight is < 1 or > MaxInFlightLimit)
        {
            errors.Add($"{section}:MaxInFlight must be between 1 and {MaxInFlightLimit}, got {options.MaxInFlight}");
        }

        if (options.Directory.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{section}:Directory must not contain NUL");
        }

        return errors;
    }
}
