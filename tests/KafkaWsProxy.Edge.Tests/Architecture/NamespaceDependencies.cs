using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;

namespace KafkaWsProxy.Edge.Tests.Architecture;

/// <summary>
/// Which folders of a code base use which, read two ways and joined: from the compiled
/// assembly (every type a type's signatures, attributes, locals and method bodies name,
/// lambdas and async state machines included) and from the <c>using</c> directives of its
/// source files (which also catch a constant, since the compiler copies constants into
/// the IL and leaves no reference to their type).
/// A folder is the namespace segment after the root: <c>Root.Sockets.X</c> is "Sockets".
/// </summary>
internal sealed partial class NamespaceDependencies
{
    private static readonly OpCode[] s_oneByteOpCodes = new OpCode[0x100];
    private static readonly OpCode[] s_twoByteOpCodes = new OpCode[0x100];

    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private readonly string _root;
    private readonly Dictionary<(string From, string To), string> _evidence = [];

    static NamespaceDependencies()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            var table = opCode.Size == 1 ? s_oneByteOpCodes : s_twoByteOpCodes;
            table[(ushort)opCode.Value & 0xff] = opCode;
        }
    }

    private NamespaceDependencies(string root) => _root = root;

    /// <summary>Each folder's dependencies on other folders, with one example of each.</summary>
    public IReadOnlyDictionary<(string From, string To), string> Evidence => _evidence;

    public IEnumerable<string> DependenciesOf(string folder) =>
        _evidence.Keys.Where(k => k.From == folder).Select(k => k.To).Order(StringComparer.Ordinal);

    /// <summary>Reads the types of <paramref name="assembly"/> in <paramref name="root"/>, and the sources below <paramref name="sourceDirectory"/> if given.</summary>
    public static NamespaceDependencies Read(Assembly assembly, string root, string? sourceDirectory = null)
    {
        var dependencies = new NamespaceDependencies(root);
        foreach (var type in assembly.GetTypes())
        {
            if (dependencies.FolderOf(type) is { } folder)
            {
                dependencies.ReadType(type, folder);
            }
        }

        if (sourceDirectory is not null)
        {
            dependencies.ReadSources(sourceDirectory);
        }

        return dependencies;
    }

    /// <summary>Every cycle between folders, as "A -> B -> A" with the evidence of each step.</summary>
    public IReadOnlyList<string> Cycles()
    {
        var folders = _evidence.Keys.SelectMany(k => new[] { k.From, k.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var cycles = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in folders)
        {
            foreach (var next in DependenciesOf(start))
            {
                if (PathBetween(next, start) is not { } back)
                {
                    continue;
                }

                var cycle = new List<string> { start };
                cycle.AddRange(back);
                var key = string.Join(",", cycle.Skip(1).Order(StringComparer.Ordinal));
                if (reported.Add(key))
                {
                    var steps = cycle.Zip(cycle.Skip(1), (from, to) => $"  {from} -> {to}: {_evidence[(from, to)]}");
                    cycles.Add(string.Join(" -> ", cycle) + Environment.NewLine + string.Join(Environment.NewLine, steps));
                }
            }
        }

        return cycles;
    }

    /// <summary>The folders from <paramref name="from"/> to <paramref name="to"/> (both included), or null.</summary>
    private List<string>? PathBetween(string from, string to)
    {
        var cameFrom = new Dictionary<string, string?>(StringComparer.Ordinal) { [from] = null };
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var folder))
        {
            if (folder == to)
            {
                var path = new List<string>();
                for (string? step = folder; step is not null; step = cameFrom[step])
                {
                    path.Add(step);
                }

                path.Reverse();
                return path;
            }

            foreach (var next in DependenciesOf(folder).Where(n => !cameFrom.ContainsKey(n)))
            {
                cameFrom[next] = folder;
                queue.Enqueue(next);
            }
        }

        return null;
    }

    private string? FolderOf(Type type) => FolderOf(type.Namespace);

    private string? FolderOf(string? ns)
    {
        if (ns is null || !ns.StartsWith(_root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        return ns[(_root.Length + 1)..].Split('.')[0];
    }

    private void Add(string from, Type? used, string where)
    {
        foreach (var type in Expand(used))
        {
            if (FolderOf(type) is { } to && to != from)
            {
                _evidence.TryAdd((from, to), $"{where} uses {type.FullName ?? type.Name}");
            }
        }
    }

    /// <summary>The type and every type it is built from: element types and generic arguments.</summary>
    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()))
            {
                yield return inner;
            }

            yield break;
        }

        yield return type;
        if (type.IsConstructedGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return inner;
            }
        }
    }

    private void ReadType(Type type, string folder)
    {
        var name = type.FullName ?? type.Name;
        Add(folder, type.BaseType, name);
        foreach (var contract in type.GetInterfaces())
        {
            Add(folder, contract, name);
        }

        ReadAttributes(folder, type.CustomAttributes, name);
        foreach (var field in type.GetFields(Declared))
        {
            Add(folder, field.FieldType, $"{name}.{field.Name}");
            ReadAttributes(folder, field.CustomAttributes, $"{name}.{field.Name}");
        }

        foreach (var property in type.GetProperties(Declared))
        {
            Add(folder, property.PropertyType, $"{name}.{property.Name}");
        }

        foreach (var @event in type.GetEvents(Declared))
        {
            Add(folder, @event.EventHandlerType, $"{name}.{@event.Name}");
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            ReadMethod(folder, method, $"{name}.{method.Name}");
        }
    }

    private void ReadAttributes(string folder, IEnumerable<CustomAttributeData> attributes, string where)
    {
        foreach (var attribute in attributes)
        {
            Add(folder, attribute.AttributeType, where);
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(a => a.TypedValue)))
            {
                Add(folder, argument.Value as Type, where);
            }
        }
    }

    private void ReadMethod(string folder, MethodBase method, string where)
    {
        ReadAttributes(folder, method.CustomAttributes, where);
        if (method is MethodInfo info)
        {
            Add(folder, info.ReturnType, where);
        }

        foreach (var parameter in method.GetParameters())
        {
            Add(folder, parameter.ParameterType, where);
        }

        if (method.GetMethodBody() is not { } body)
        {
            return;
        }

        foreach (var local in body.LocalVariables)
        {
            Add(folder, local.LocalType, where);
        }

        foreach (var type in TypesInBody(method, body.GetILAsByteArray() ?? []))
        {
            Add(folder, type, where);
        }
    }

    /// <summary>The types that the method's instructions name (through type, field, method and token operands).</summary>
    private static IEnumerable<Type?> TypesInBody(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            var opCode = il[position] == 0xfe ? s_twoByteOpCodes[il[position + 1]] : s_oneByteOpCodes[il[position]];
            position += opCode.Size;
            switch (opCode.OperandType)
            {
                case OperandType.InlineType or OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, position), typeArguments, methodArguments);
                    foreach (var type in TypesOf(member))
                    {
                        yield return type;
                    }

                    position += 4;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + (4 * BitConverter.ToInt32(il, position));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    position += 4;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
            }
        }
    }

    private static IEnumerable<Type?> TypesOf(MemberInfo? member) => member switch
    {
        Type type => [type],
        FieldInfo field => [field.DeclaringType, field.FieldType],
        MethodInfo method => [method.DeclaringType, method.ReturnType, .. method.GetGenericArguments(), .. method.GetParameters().Select(p => p.ParameterType)],
        ConstructorInfo constructor => [constructor.DeclaringType, .. constructor.GetParameters().Select(p => p.ParameterType)],
        _ => [],
    };

    private void ReadSources(string directory)
    {
        var separator = Path.DirectorySeparatorChar;
        foreach (var file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{separator}obj{separator}", StringComparison.Ordinal) || file.Contains($"{separator}bin{separator}", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            if (FolderOf(NamespacePattern().Match(text).Groups["ns"].Value) is not { } folder)
            {
                continue;
            }

            foreach (Match match in UsingPattern().Matches(text))
            {
                if (FolderOf(match.Groups["ns"].Value) is { } to && to != folder)
                {
                    _evidence.TryAdd((folder, to), $"{Path.GetRelativePath(directory, file)} has 'using {match.Groups["ns"].Value};'");
                }
            }
        }
    }

    [GeneratedRegex(@"^namespace\s+(?<ns>[\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespacePattern();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?<ns>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingPattern();
}
