namespace EdgeVision.Models;

/// <summary>
/// A model cannot be used: its manifest, labels or file is missing, unreadable or invalid, or the file does not
/// fit what its manifest or decoder family says. The message names the file and what is wrong, on one line.
/// </summary>
public sealed class ModelException : Exception
{
    public ModelException()
    {
    }

    public ModelException(string message)
        : base(message)
    {
    }

    public ModelException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
