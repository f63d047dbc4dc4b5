namespace EdgeVision.Tests.Outbox;

/// <summary>A clock the test moves by hand, so age bounds are checked without waiting (and without timing).</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
