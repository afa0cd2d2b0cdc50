using Xunit.Abstractions;
using Xunit.Sdk;

namespace Hubs.Tests.Cluster;

/// <summary>Position of a test within its class, for classes ordered with <see cref="RunOrderOrderer"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RunOrderAttribute(int position) : Attribute
{
    public const string OrdererName = "Hubs.Tests.Cluster.RunOrderOrderer";
    public const string OrdererAssembly = "Hubs.Tests";

    public int Position { get; } = position;
}

/// <summary>Runs a class's tests by their <see cref="RunOrderAttribute"/>, unmarked ones last.</summary>
public sealed class RunOrderOrderer : ITestCaseOrderer
{
    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(testCase => Position(testCase)).ThenBy(testCase => testCase.TestMethod.Method.Name, StringComparer.Ordinal);

    private static int Position(ITestCase testCase) =>
        testCase.TestMethod.Method.GetCustomAttributes(typeof(RunOrderAttribute).AssemblyQualifiedName)
            .Select(attribute => (int)attribute.GetConstructorArguments().First())
            .DefaultIfEmpty(int.MaxValue)
            .First();
}
