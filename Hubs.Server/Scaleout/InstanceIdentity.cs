namespace Hubs.Server.Scaleout;

/// <summary>This process's id among the instances sharing one Redis; new at every start.</summary>
public sealed class InstanceIdentity
{
    public string Id { get; } = Guid.NewGuid().ToString("N")[..16];
}
