namespace Hubs.Server.Admin;

/// <summary>Closes every hub connection of a user, telling each one why first.</summary>
/// <remarks>
/// The local implementation reaches this instance's connections only. A scale-out engine registers its own
/// implementation that fans the request out so each instance runs its local one, and returns the total.
/// </remarks>
public interface IConnectionTerminator
{
    /// <summary>Returns how many connections were closed; 0 when the user had none.</summary>
    Task<int> DisconnectUserAsync(string userId, string reason, CancellationToken cancellationToken);
}
