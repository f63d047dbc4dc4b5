using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Stops the agent gracefully on SIGTERM (systemd stop, docker stop, kill), SIGINT (Ctrl+C) and SIGQUIT: the
/// signal's default action is cancelled and the host is asked to stop, so every service finishes (the clean
/// <c>stopped</c> status, the outbox flushed) before the process exits. Under systemd, AddSystemd's lifetime takes
/// its place.
/// </summary>
internal sealed class SignalLifetime(IHostApplicationLifetime lifetime) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, Stop));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _registrations.Clear();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        lifetime.StopApplication();
    }
}
