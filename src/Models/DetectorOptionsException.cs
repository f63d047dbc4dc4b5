namespace EdgeVision.Models;

/// <summary>
/// The detector's options cannot be used: a value is out of range, or none of the execution providers they
/// list can run on this machine. The message names each problem.
/// </summary>
public sealed class DetectorOptionsException : Exception
{
    public DetectorOptionsException()
    {
    }

    public DetectorOptionsException(string message)
        : base(message)
    {
    }

    public DetectorOptionsException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
