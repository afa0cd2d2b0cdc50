using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace Hubs.Tests.TypeScript;

/// <summary>
/// The XML documentation the compiler wrote for an assembly, turned into one-line plain text for TSDoc,
/// so the TypeScript declarations carry the same words as the C# contract.
/// </summary>
internal sealed class XmlDocs
{
    private readonly Dictionary<string, XElement> _members;

    private XmlDocs(Dictionary<string, XElement> members) => _members = members;

    public static XmlDocs For(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No XML documentation beside {assembly.Location}; GenerateDocumentationFile must stay on.", path);
        }
        var members = XDocument.Load(path, LoadOptions.PreserveWhitespace).Descendants("member")
            .ToDictionary(member => (string)member.Attribute("name")!, StringComparer.Ordinal);
        return new XmlDocs(members);
    }

    public string? Type(Type type) => Summary("T:" + type.FullName);

    public string? Field(FieldInfo field) => Summary($"F:{field.DeclaringType!.FullName}.{field.Name}");

    /// <summary>A property's own summary, or the record's <c>param</c> text for it.</summary>
    public string? Property(PropertyInfo property)
    {
        var own = Summary($"P:{property.DeclaringType!.FullName}.{property.Name}");
        if (own is not null)
        {
            return own;
        }
        var param = Find("T:" + property.DeclaringType!.FullName)?
            .Elements("param").FirstOrDefault(p => (string?)p.Attribute("name") == property.Name);
        return param is null ? null : Text(param);
    }

    /// <summary>A method's summary; hub methods have no overloads, so the name alone identifies it.</summary>
    public string? Method(MethodInfo method)
    {
        var prefix = $"M:{method.DeclaringType!.FullName}.{method.Name}";
        var member = _members.FirstOrDefault(pair => pair.Key == prefix || pair.Key.StartsWith(prefix + "(", StringComparison.Ordinal)).Value;
        return member?.Element("summary") is { } summary ? Text(summary) : null;
    }

    private XElement? Find(string id) => _members.GetValueOrDefault(id);

    private string? Summary(string id) => Find(id)?.Element("summary") is { } summary ? Text(summary) : null;

    private static string Text(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            text.Append(node switch
            {
                XText plain => plain.Value,
                XElement { Name.LocalName: "see" or "seealso" } see => Reference(see),
                XElement { Name.LocalName: "paramref" or "typeparamref" } reference => (string?)reference.Attribute("name"),
                XElement { Name.LocalName: "c" or "code" } code => "`" + code.Value + "`",
                XElement other => Text(other),
                _ => "",
            });
        }
        // One line, and never a "*/" that would end the TSDoc comment early.
        return string.Join(' ', text.ToString().Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Replace("*/", "*\\/", StringComparison.Ordinal);
    }

    private static string Reference(XElement see)
    {
        if ((string?)see.Attribute("langword") is { } word)
        {
            return "`" + word + "`";
        }
        var cref = (string?)see.Attribute("cref") ?? "";
        var name = cref.Length > 2 ? cref[2..] : cref;
        var parameters = name.IndexOf('(', StringComparison.Ordinal);
        if (parameters >= 0)
        {
            name = name[..parameters];
        }
        // "Hubs.Contracts.IChatClient.ReceiveMessage" reads as "IChatClient.ReceiveMessage" in TypeScript.
        var parts = name.Split('.');
        var keep = cref.StartsWith("T:", StringComparison.Ordinal) ? 1 : 2;
        return "`" + string.Join('.', parts.Skip(Math.Max(0, parts.Length - keep))) + "`";
    }
}
