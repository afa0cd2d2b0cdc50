using System.Diagnostics.Metrics;

namespace Hubs.Tests.Infrastructure;

/// <summary>
/// Records the measurements of one instrument of one server (its own <see cref="IMeterFactory"/>), so a test can
/// await what the server reports instead of polling its state.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();

    public MetricRecorder(IMeterFactory meterFactory, string meterName, string instrumentName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Meter.Name == meterName && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Measurements.Add(value));
        _listener.Start();
    }

    public EventStream<long> Measurements { get; } = new();

    public void Dispose() => _listener.Dispose();
}
