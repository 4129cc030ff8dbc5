using System.Reflection;
using System.Reflection.Emit;

namespace Dsa.Tests.Architecture;

/// <summary>One use of a type of namespace <see cref="To"/> by type <see cref="From"/>, with where it was seen.</summary>
public sealed record TypeUse(Type From, string To, string Where)
{
    public override string ToString() => $"{From.FullName} -> {To} ({Where})";
}

/// <summary>
/// Every namespace a type uses, read from the compiled assembly: its base type, interfaces, attributes, fields,
/// properties, method signatures, and every type, method and field token in its method bodies' IL. `using` lines
/// are not enough (a fully qualified name needs none), and lambdas, iterators and async methods compile to nested
/// types, which are attributed here to the type they were written in.
/// </summary>
public static class NamespaceDependencies
{
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
        | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Every use, by the types of <paramref name="assembly"/> whose namespace is in <paramref name="root"/>, of a type whose namespace is also in it.</summary>
    public static IReadOnlyList<TypeUse> Scan(Assembly assembly, string root)
    {
        var uses = new List<TypeUse>();
        foreach (var type in assembly.GetTypes().Where(t => InRoot(t.Namespace, root)))
        {
            var owner = Outermost(type);
            void Add(Type? used, string where)
            {
                foreach (var t in Constituents(used))
                    if (InRoot(t.Namespace, root) && t.Namespace != owner.Namespace) uses.Add(new TypeUse(owner, t.Namespace!, $"{type.Name}.{where}: {t.Name}"));
            }
            Add(type.BaseType, "base");
            foreach (var i in type.GetInterfaces()) Add(i, "interface");
            foreach (var a in type.CustomAttributes) Add(a.AttributeType, "attribute");
            foreach (var f in type.GetFields(Everything)) Add(f.FieldType, f.Name);
            foreach (var p in type.GetProperties(Everything)) Add(p.PropertyType, p.Name);
            foreach (var m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
            {
                if (m is MethodInfo mi) Add(mi.ReturnType, m.Name);
                foreach (var p in m.GetParameters()) Add(p.ParameterType, m.Name);
                foreach (var used in BodyTokens(m)) Add(used, m.Name);
            }
        }
        return uses;
    }

    private static bool InRoot(string? ns, string root) => ns is not null && (ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal));

    private static Type Outermost(Type t)
    {
        while (t.DeclaringType is { } outer) t = outer;
        return t;
    }

    /// <summary>A type and what it is made of: element types of arrays and refs, generic arguments.</summary>
    private static IEnumerable<Type> Constituents(Type? t)
    {
        if (t is null || t.IsGenericParameter) yield break;
        if (t.HasElementType)
        {
            foreach (var e in Constituents(t.GetElementType())) yield return e;
            yield break;
        }
        yield return t.IsGenericType ? t.GetGenericTypeDefinition() : t;
        if (t.IsGenericType)
            foreach (var a in t.GetGenericArguments()) foreach (var e in Constituents(a)) yield return e;
    }

    /// <summary>The types behind every metadata token of a method body's IL (calls, field accesses, casts, newobj, ldtoken).</summary>
    private static IEnumerable<Type> BodyTokens(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            if (!OpCodesByValue.TryGetValue(value, out var op))
                throw new InvalidDataException($"{method.DeclaringType}.{method.Name}: unknown IL opcode 0x{value:X} at {at}");
            at += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    int token = BitConverter.ToInt32(il, at);
                    var member = method.Module.ResolveMember(token, typeArgs, methodArgs)!;
                    if (member is Type type) yield return type;
                    else
                    {
                        yield return member.DeclaringType!;
                        if (member is FieldInfo field) yield return field.FieldType;
                        if (member is MethodInfo m)
                        {
                            yield return m.ReturnType;
                            if (m.IsGenericMethod) foreach (var a in m.GetGenericArguments()) yield return a;
                        }
                        if (member is MethodBase mb) foreach (var p in mb.GetParameters()) yield return p.ParameterType;
                    }
                    break;
            }
            at += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
        }
    }
}
