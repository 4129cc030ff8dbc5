using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace Dsa.Notebooks;

/// <summary>
/// <c>#r "some/folder/Dsa.dll"</c> (in a cell, or in a script it <c>#load</c>s, such as notebooks/workbench.csx) of an
/// assembly the runner already carries resolves to the runner's own reference, not to a second copy from that path:
/// the same notebook then loads the workbench's build under .NET Interactive and is a no-op here. Any other
/// reference is resolved as Roslyn scripting does (relative to the notebook's folder or the loading script).
/// </summary>
internal sealed class CarriedAssemblyResolver(ScriptMetadataResolver inner, IReadOnlyDictionary<string, MetadataReference> carried) : MetadataReferenceResolver
{
    private readonly ScriptMetadataResolver inner = inner;
    private readonly IReadOnlyDictionary<string, MetadataReference> carried = carried;

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties)
    {
        string name = Path.GetFileName(reference);
        if (name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && carried.TryGetValue(Path.GetFileNameWithoutExtension(name), out var own)
            && own is PortableExecutableReference portable)
            return [portable];
        return inner.ResolveReference(reference, baseFilePath, properties);
    }

    public override bool ResolveMissingAssemblies => inner.ResolveMissingAssemblies;

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity) =>
        inner.ResolveMissingAssembly(definition, referenceIdentity);

    public override bool Equals(object? other) => other is CarriedAssemblyResolver r && r.inner.Equals(inner) && ReferenceEquals(r.carried, carried);

    public override int GetHashCode() => inner.GetHashCode();
}
