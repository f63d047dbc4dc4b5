namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>What a camera's Source string names.</summary>
public enum CameraSourceKind
{
    File,
    Url,
    Device,
}

/// <summary>Classifies a Source the way the capture loop opens it: URL by scheme, device by index or /dev path, else a file.</summary>
public static class CameraSourceClassifier
{
    public static CameraSourceKind Classify(string source)
    {
        if (source.Contains("://", StringComparison.Ordinal))
        {
            return CameraSourceKind.Url;
        }

        if (int.TryParse(source, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
            || source.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return CameraSourceKind.Device;
        }

        return CameraSourceKind.File;
    }
}
