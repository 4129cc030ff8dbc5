// This file is compiled twice: into the MSBuild inline task of build/LibTorchSharpGlibcxx.targets
// (RoslynCodeTaskFactory, netstandard2.0, so: no records, no init-only setters, no spans in
// signatures) and into src/Dsa, where the tests exercise it.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Dsa.Native
{
    /// <summary>
    /// Reads and edits the GNU symbol-versioning sections of a 64-bit little-endian ELF file.
    /// Why: TorchSharp 0.107's libLibTorchSharp.so was linked by GCC 13 and records a version
    /// need on GLIBCXX_3.4.32, which Debian 12's libstdc++ (GCC 12, up to GLIBCXX_3.4.30) does
    /// not define, so the dynamic loader refuses the library. The only symbol bound to that
    /// version is a marker without relocations, so marking the need VER_FLG_WEAK (vna_flags = 2)
    /// lets ld.so accept the library with a warning-free load; nothing else in the file changes.
    /// </summary>
    public static class ElfVersionNeedPatcher
    {
        /// <summary>VER_FLG_WEAK from elf.h: a weak version reference; a missing version is not fatal.</summary>
        public const ushort VerFlagWeak = 0x2;

        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const uint ShtDynsym = 11;

        /// <summary>One Vernaux entry: a version that <see cref="File"/> must define.</summary>
        public sealed class VersionNeed
        {
            public VersionNeed(string file, string version, ushort flags, ushort index, long flagsOffset)
            {
                File = file;
                Version = version;
                Flags = flags;
                Index = index;
                FlagsOffset = flagsOffset;
            }

            /// <summary>The needed library's soname (vn_file), e.g. libstdc++.so.6.</summary>
            public string File { get; }
            /// <summary>The version name (vna_name), e.g. GLIBCXX_3.4.32.</summary>
            public string Version { get; }
            /// <summary>vna_flags (2 = weak).</summary>
            public ushort Flags { get; }
            /// <summary>vna_other: the version index that .gnu.version entries use.</summary>
            public ushort Index { get; }
            /// <summary>Byte offset of vna_flags in the file.</summary>
            public long FlagsOffset { get; }
            public bool IsWeak { get { return (Flags & VerFlagWeak) != 0; } }
        }

        /// <summary>The outcome of <see cref="MarkVersionNeedWeak"/>.</summary>
        public sealed class PatchResult
        {
            public PatchResult(bool changed, string message, IReadOnlyList<string> symbols)
            {
                Changed = changed;
                Message = message;
                Symbols = symbols;
            }

            public bool Changed { get; }
            public string Message { get; }
            /// <summary>Dynamic symbols bound to the patched version (for the build log).</summary>
            public IReadOnlyList<string> Symbols { get; }
        }

        private sealed class Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
            public long EntrySize;
        }

        /// <summary>All version needs recorded in <paramref name="elf"/> (.gnu.version_r).</summary>
        public static IReadOnlyList<VersionNeed> ReadVersionNeeds(byte[] elf, string nameForErrors)
        {
            var sections = ReadSections(elf, nameForErrors);
            var result = new List<VersionNeed>();
            foreach (var s in sections)
            {
                if (s.Type != ShtGnuVerneed) continue;
                var strtab = sections[(int)s.Link];
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                    ushort cnt = U16(elf, entry + 2, nameForErrors);
                    string file = CString(elf, strtab.Offset + U32(elf, entry + 4, nameForErrors), nameForErrors);
                    long aux = entry + U32(elf, entry + 8, nameForErrors);
                    for (int a = 0; a < cnt; a++)
                    {
                        // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                        ushort flags = U16(elf, aux + 4, nameForErrors);
                        ushort other = U16(elf, aux + 6, nameForErrors);
                        string name = CString(elf, strtab.Offset + U32(elf, aux + 8, nameForErrors), nameForErrors);
                        result.Add(new VersionNeed(file, name, flags, other, aux + 4));
                        uint next = U32(elf, aux + 12, nameForErrors);
                        if (next == 0) break;
                        aux += next;
                    }
                    uint vnNext = U32(elf, entry + 12, nameForErrors);
                    if (vnNext == 0) break;
                    entry += vnNext;
                }
            }
            return result;
        }

        /// <summary>All version names a library defines (.gnu.version_d), e.g. GLIBCXX_3.4.30.</summary>
        public static IReadOnlyList<string> ReadVersionDefinitions(byte[] elf, string nameForErrors)
        {
            var sections = ReadSections(elf, nameForErrors);
            var result = new List<string>();
            foreach (var s in sections)
            {
                if (s.Type != ShtGnuVerdef) continue;
                var strtab = sections[(int)s.Link];
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32
                    long aux = entry + U32(elf, entry + 12, nameForErrors);
                    // The first Verdaux names the version itself (later ones name its parents).
                    result.Add(CString(elf, strtab.Offset + U32(elf, aux, nameForErrors), nameForErrors));
                    uint next = U32(elf, entry + 16, nameForErrors);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>True when the library at <paramref name="path"/> defines <paramref name="version"/>.</summary>
        public static bool DefinesVersion(string path, string version)
        {
            foreach (var v in ReadVersionDefinitions(File.ReadAllBytes(path), path))
                if (v == version) return true;
            return false;
        }

        /// <summary>
        /// The system's libstdc++.so.6, looked up where Debian/Ubuntu/Fedora put it and along
        /// LD_LIBRARY_PATH; null when none is found (then nothing is patched).
        /// </summary>
        public static string? FindSystemLibStdCxx()
        {
            var dirs = new List<string>();
            string? ld = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (!string.IsNullOrEmpty(ld)) dirs.AddRange(ld!.Split(':'));
            dirs.AddRange(new[]
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64",
                "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/lib",
            });
            foreach (var d in dirs)
            {
                if (string.IsNullOrEmpty(d)) continue;
                string candidate = Path.Combine(d, "libstdc++.so.6");
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }

        /// <summary>
        /// Marks the version need on <paramref name="version"/> weak, changing only the two bytes of
        /// that vna_flags field (the file is rewritten through a temporary and a rename). A file that does not need the version, or already
        /// marks it weak, is left byte-identical.
        /// </summary>
        public static PatchResult MarkVersionNeedWeak(string path, string version)
        {
            byte[] elf = File.ReadAllBytes(path);
            var needs = ReadVersionNeeds(elf, path);
            VersionNeed? target = null;
            foreach (var n in needs)
                if (n.Version == version) { target = n; break; }
            if (target == null)
                return new PatchResult(false, path + " does not need " + version + "; left unchanged.", new string[0]);
            var symbols = SymbolsWithVersionIndex(elf, target.Index, path);
            if (target.IsWeak)
                return new PatchResult(false, path + ": the need on " + version + " is already weak.", symbols);

            ushort flags = (ushort)(target.Flags | VerFlagWeak);
            elf[target.FlagsOffset] = (byte)(flags & 0xff);
            elf[target.FlagsOffset + 1] = (byte)(flags >> 8);
            // Write a new file and rename it over the old one: the output copy may be a hard link
            // to the NuGet cache, which must never be modified.
            string temp = path + ".patching";
            File.WriteAllBytes(temp, elf);
            File.Delete(path);
            File.Move(temp, path);
            return new PatchResult(true,
                path + ": marked the need on " + version + " (" + target.File + ") weak; symbols bound to it: " +
                (symbols.Count == 0 ? "none" : string.Join(", ", symbols)) + ".",
                symbols);
        }

        /// <summary>Names of .dynsym entries whose .gnu.version index is <paramref name="index"/>.</summary>
        public static IReadOnlyList<string> SymbolsWithVersionIndex(byte[] elf, ushort index, string nameForErrors)
        {
            var sections = ReadSections(elf, nameForErrors);
            Section? versym = null, dynsym = null;
            foreach (var s in sections)
            {
                if (s.Type == ShtGnuVersym) versym = s;
                if (s.Type == ShtDynsym) dynsym = s;
            }
            var names = new List<string>();
            if (versym == null || dynsym == null || dynsym.EntrySize == 0) return names;
            var strtab = sections[(int)dynsym.Link];
            long count = dynsym.Size / dynsym.EntrySize;
            for (long i = 0; i < count; i++)
            {
                ushort v = (ushort)(U16(elf, versym.Offset + 2 * i, nameForErrors) & 0x7fff);
                if (v != index) continue;
                // Elf64_Sym: st_name u32 first.
                uint nameOffset = U32(elf, dynsym.Offset + i * dynsym.EntrySize, nameForErrors);
                names.Add(CString(elf, strtab.Offset + nameOffset, nameForErrors));
            }
            return names;
        }

        private static List<Section> ReadSections(byte[] elf, string name)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException(name + ": not an ELF file (bad magic).");
            if (elf[4] != 2) throw new InvalidDataException(name + ": only 64-bit ELF is supported (EI_CLASS=" + elf[4] + ").");
            if (elf[5] != 1) throw new InvalidDataException(name + ": only little-endian ELF is supported (EI_DATA=" + elf[5] + ").");
            long shoff = (long)U64(elf, 0x28, name);
            ushort shentsize = U16(elf, 0x3A, name);
            ushort shnum = U16(elf, 0x3C, name);
            if (shentsize < 64) throw new InvalidDataException(name + ": e_shentsize " + shentsize + " is smaller than an Elf64_Shdr.");
            var list = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                list.Add(new Section
                {
                    Type = U32(elf, h + 4, name),
                    Offset = (long)U64(elf, h + 24, name),
                    Size = (long)U64(elf, h + 32, name),
                    Link = U32(elf, h + 40, name),
                    Info = U32(elf, h + 44, name),
                    EntrySize = (long)U64(elf, h + 56, name),
                });
            }
            return list;
        }

        private static void Check(byte[] b, long at, int n, string name)
        {
            if (at < 0 || at + n > b.Length)
                throw new InvalidDataException(name + ": truncated ELF (read of " + n + " bytes at offset " + at + " past the end, " + b.Length + " bytes).");
        }

        private static ushort U16(byte[] b, long at, string name)
        {
            Check(b, at, 2, name);
            return (ushort)(b[at] | (b[at + 1] << 8));
        }

        private static uint U32(byte[] b, long at, string name)
        {
            Check(b, at, 4, name);
            return (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));
        }

        private static ulong U64(byte[] b, long at, string name)
        {
            return U32(b, at, name) | ((ulong)U32(b, at + 4, name) << 32);
        }

        private static string CString(byte[] b, long at, string name)
        {
            Check(b, at, 1, name);
            long end = at;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
        }
    }
}

#if !DSA_LIBRARY
namespace Dsa.Build
{
    /// <summary>
    /// MSBuild task (RoslynCodeTaskFactory): for every libLibTorchSharp.so under OutputRoot, marks
    /// the need on Version weak when the system's libstdc++ does not define that version.
    /// </summary>
    public sealed class PatchLibTorchSharpVersionNeed : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string OutputRoot { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string Version { get; set; } = "";

        public override bool Execute()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux))
                return true;
            if (!Directory.Exists(OutputRoot)) return true;
            var libs = Directory.GetFiles(OutputRoot, "libLibTorchSharp.so", SearchOption.AllDirectories);
            if (libs.Length == 0) return true;
            string? libstdcxx = Dsa.Native.ElfVersionNeedPatcher.FindSystemLibStdCxx();
            if (libstdcxx == null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "libLibTorchSharp patch: no system libstdc++.so.6 found; nothing patched.");
                return true;
            }
            if (Dsa.Native.ElfVersionNeedPatcher.DefinesVersion(libstdcxx, Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "libLibTorchSharp patch: " + libstdcxx + " defines " + Version + "; nothing to do.");
                return true;
            }
            foreach (var lib in libs)
            {
                var r = Dsa.Native.ElfVersionNeedPatcher.MarkVersionNeedWeak(lib, Version);
                Log.LogMessage(r.Changed ? Microsoft.Build.Framework.MessageImportance.High : Microsoft.Build.Framework.MessageImportance.Low,
                    "libLibTorchSharp patch (" + libstdcxx + " lacks " + Version + "): " + r.Message);
            }
            return true;
        }
    }
}
#endif
