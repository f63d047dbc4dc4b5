using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Compares the shape of a configuration section with the options class it binds to: a single value where the
/// class expects a section or a list (<c>"Tls": "yes"</c>, <c>"Cameras": "none"</c>), which the binder drops
/// without a word, or a section where it expects a single value (<c>"Port": {"a": 1}</c>), which it reports as an
/// unknown key. Values are never quoted: they may be passwords or camera URLs.
/// </summary>
internal static class ConfigurationShape
{
    public static void Check(IConfigurationSection section, Type optionsType, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(errors);
        CheckNode(section, optionsType, errors);
    }

    private static void CheckNode(IConfigurationSection node, Type type, List<string> errors)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var children = node.GetChildren().ToList();
        if (IsSingleValue(target))
        {
            if (children.Count > 0)
            {
                errors.Add($"{node.Path}: expects a single value, not a section");
            }

            return;
        }

        var valueType = DictionaryValueType(target);
        var elementType = valueType is null ? ElementType(target) : null;

        // Layered sources can give a key both a value and children (--EdgeVision:Cameras=none over a file's list);
        // the binder then ignores the value, so it is reported either way.
        if (!string.IsNullOrEmpty(node.Value))
        {
            errors.Add($"{node.Path}: expects {(elementType is null ? "a section of settings" : "a list")}, not a single value");
        }

        foreach (var child in children)
        {
            var childType = valueType ?? elementType
                ?? target.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;

            // A key no property has is the binder's to report ("unknown setting").
            if (childType is not null)
            {
                CheckNode(child, childType, errors);
            }
        }
    }

    private static bool IsSingleValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    private static Type? DictionaryValueType(Type type) =>
        Implementations(type).FirstOrDefault(i => i.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() : Implementations(type).FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static IEnumerable<Type> Implementations(Type type) =>
        (type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces()).Where(i => i.IsGenericType);
}
