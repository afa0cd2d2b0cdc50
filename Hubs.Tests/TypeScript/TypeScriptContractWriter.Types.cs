using System.Reflection;

namespace Hubs.Tests.TypeScript;

internal sealed partial class TypeScriptContractWriter
{
    /// <summary>
    /// A TypeScript type for a .NET contract type. Timestamps are <c>Date</c>: MessagePack carries them as
    /// timestamps (a Date in JS) and the TS client revives JSON's ISO strings with <see cref="WriteShapes"/>.
    /// </summary>
    private string TsType(Type type, NullabilityInfo? nullability)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return TsType(underlying, null) + " | null";
        }
        var core = CoreType(type, nullability);
        return nullability?.ReadState == NullabilityState.Nullable && !type.IsValueType ? core + " | null" : core;
    }

    private string CoreType(Type type, NullabilityInfo? nullability)
    {
        if (type == typeof(string) || type == typeof(char) || type == typeof(Guid))
        {
            return "string";
        }
        if (type == typeof(bool))
        {
            return "boolean";
        }
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return "Date";
        }
        if (type.IsPrimitive || type == typeof(decimal))
        {
            return "number";
        }
        if (ElementType(type) is { } element)
        {
            var item = TsType(element, ElementNullability(nullability));
            return item.Contains(' ', StringComparison.Ordinal) ? $"({item})[]" : item + "[]";
        }
        if (DictionaryValueType(type) is { } value)
        {
            return $"Record<string, {TsType(value, nullability?.GenericTypeArguments.ElementAtOrDefault(1))}>";
        }
        if (IsContractType(type))
        {
            return type.Name;
        }
        throw new NotSupportedException($"{type} has no TypeScript mapping; extend TypeScriptContractWriter.CoreType.");
    }

    /// <summary>
    /// How the client finds timestamps inside a value of this type: <c>Date</c>, a contract type name, or
    /// either followed by <c>[]</c> (list) or <c>{}</c> (string-keyed map); <c>null</c> for plain values.
    /// </summary>
    private string? ShapeName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return "Date";
        }
        if (ElementType(type) is { } element)
        {
            return ShapeName(element) is { } item ? item + "[]" : null;
        }
        if (DictionaryValueType(type) is { } value)
        {
            return ShapeName(value) is { } item ? item + "{}" : null;
        }
        return IsContractType(type) ? type.Name : null;
    }

    /// <summary>
    /// For each contract type that holds timestamps (directly or inside nested contract types), the fields to revive.
    /// Types without timestamps are left out, so reviving them costs nothing.
    /// </summary>
    private void WriteShapes()
    {
        var shapes = new SortedDictionary<string, List<(string Field, string Shape)>>(StringComparer.Ordinal);
        bool changed;
        do
        {
            changed = false;
            foreach (var type in Dtos.Where(type => !shapes.ContainsKey(type.Name)))
            {
                var fields = WireProperties(type)
                    .Select(property => (Field: WireName(type, property), Shape: ShapeName(property.PropertyType)))
                    .Where(field => field.Shape is not null && HoldsTimestamps(field.Shape, shapes))
                    .Select(field => (field.Field, field.Shape!))
                    .ToList();
                if (fields.Count > 0)
                {
                    shapes[type.Name] = fields;
                    changed = true;
                }
            }
        }
        while (changed);

        Line("/**");
        Line(" * Where timestamps sit in each contract type (directly or in nested contract types). The JSON protocol");
        Line(" * carries them as ISO-8601 strings; the client turns them into `Date`, as MessagePack already does.");
        Line(" */");
        Line("export const contractShapes: Readonly<Record<string, Readonly<Record<string, string>>>> = {");
        foreach (var (type, fields) in shapes)
        {
            Line($"  {type}: {{ {string.Join(", ", fields.Select(field => $"{field.Field}: {Quote(field.Shape)}"))} }},");
        }
        Line("};");
    }

    private static bool HoldsTimestamps(string shape, IDictionary<string, List<(string, string)>> known)
    {
        var name = shape.TrimEnd('[', ']', '{', '}');
        return name == "Date" || known.ContainsKey(name);
    }

    private bool IsContractType(Type type) => Dtos.Contains(type) || Enums.Contains(type);

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        if (type.IsGenericType && type.GetGenericArguments().Length == 1)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IEnumerable<>)
                || definition == typeof(IList<>) || definition == typeof(ICollection<>) || definition == typeof(List<>))
            {
                return type.GetGenericArguments()[0];
            }
        }
        return null;
    }

    private static Type? DictionaryValueType(Type type)
    {
        if (!type.IsGenericType || type.GetGenericArguments() is not [var key, var value] || key != typeof(string))
        {
            return null;
        }
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>)
            ? value
            : null;
    }

    private static NullabilityInfo? ElementNullability(NullabilityInfo? nullability) =>
        nullability?.ElementType ?? nullability?.GenericTypeArguments.FirstOrDefault();
}
