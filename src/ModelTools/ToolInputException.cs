namespace EdgeVision.ModelTools;

/// <summary>
/// Something given to a model tool other than the model itself cannot be used: calibration frames that are
/// missing or do not decode, a labels file that is not one. The message names the file and what is wrong.
/// </summary>
public sealed class ToolInputException : Exception
{
    public ToolInputException()
    {
    }

    public ToolInputException(string message)
        : base(message)
    {
    }

    public ToolInputException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
