using System.Diagnostics;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.Mqtt;

/// <summary>
/// A private CA made with Debian's openssl for one test: the CA, a broker certificate for 127.0.0.1 and localhost,
/// a client certificate, and a second, unrelated CA (the "wrong" one). Files are readable by everyone, because
/// mosquitto started as root drops to the mosquitto user before it reads them.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    public const string Executable = "/usr/bin/openssl";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TemporaryDirectory _directory = new();

    private TestCertificates()
    {
    }

    public string CaFile => _directory.Combine("ca.crt");

    public string OtherCaFile => _directory.Combine("other-ca.crt");

    public string ServerCertificateFile => _directory.Combine("server.crt");

    public string ServerKeyFile => _directory.Combine("server.key");

    /// <summary>Signed by the right CA but issued for another host: what a man in the middle with a stolen certificate has.</summary>
    public string WrongNameCertificateFile => _directory.Combine("wrong-name.crt");

    public string WrongNameKeyFile => _directory.Combine("wrong-name.key");

    public string ClientCertificateFile => _directory.Combine("client.crt");

    public string ClientKeyFile => _directory.Combine("client.key");

    public string Directory => _directory.Path;

    /// <summary>mosquitto.conf lines for a TLS listener with these files (after the listener line).</summary>
    public string ListenerConfig(bool requireClientCertificate = false, bool wrongName = false) =>
        $"cafile {CaFile}\ncertfile {(wrongName ? WrongNameCertificateFile : ServerCertificateFile)}\nkeyfile {(wrongName ? WrongNameKeyFile : ServerKeyFile)}\n" +
        (requireClientCertificate ? "require_certificate true\n" : string.Empty);

    public static TestCertificates Create()
    {
        var certificates = new TestCertificates();
        try
        {
            certificates.Generate();
        }
        catch
        {
            certificates.Dispose();
            throw;
        }

        return certificates;
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>rwxr-xr-x for a folder, rw-r--r-- for a file: mosquitto reads them as its own user.</summary>
    public static void ShareWithBroker(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)(System.IO.Directory.Exists(path) ? 0b111_101_101 : 0b110_100_100));
        }
    }

    private void Generate()
    {
        ShareWithBroker(Directory);
        MakeAuthority("ca", "EdgeVision Test CA");
        MakeAuthority("other-ca", "Unrelated Test CA");
        MakeLeaf("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
        MakeLeaf("wrong-name", "elsewhere.example", "subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
        MakeLeaf("client", "edgevision-client", "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
        foreach (var file in System.IO.Directory.GetFiles(Directory))
        {
            ShareWithBroker(file);
        }
    }

    private void MakeAuthority(string name, string commonName) => OpenSsl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", _directory.Combine(name + ".key"), "-out", _directory.Combine(name + ".crt"), "-days", "2",
        "-subj", "/CN=" + commonName,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");

    private void MakeLeaf(string name, string commonName, string extensions)
    {
        var extensionFile = _directory.Combine(name + ".ext");
        File.WriteAllText(extensionFile, extensions);
        OpenSsl(
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", _directory.Combine(name + ".key"), "-out", _directory.Combine(name + ".csr"), "-subj", "/CN=" + commonName);
        OpenSsl(
            "x509", "-req", "-in", _directory.Combine(name + ".csr"), "-CA", CaFile, "-CAkey", _directory.Combine("ca.key"),
            "-CAcreateserial", "-out", _directory.Combine(name + ".crt"), "-days", "2", "-extfile", extensionFile);
    }

    private static void OpenSsl(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Bound))
        {
            process.Kill();
            throw new TimeoutException($"openssl {arguments[0]} did not finish within {Bound}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Result}{output.Result}");
        }
    }
}
