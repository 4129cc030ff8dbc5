using Dsa.IO;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using Dsa.Tests.Nn;
using TorchSharp;
using Xunit.Abstractions;

namespace Dsa.Tests.IO;

/// <summary>
/// Weights move between this workbench and PyTorch (environment.md: the route for data-parallel training, which
/// TorchSharp lacks). For every HRNet case in the fixtures: the official checkpoint is loaded here and written as
/// safetensors; Debian's python3-torch reads that file, finds exactly the official checkpoint's names, dtypes,
/// shapes and values (torch.load of the same .pth), and writes PyTorch's own tensors back as safetensors in another
/// order; that file loads strictly into a fresh model here and reproduces the official forward output.
/// </summary>
public sealed class PyTorchRoundTripTests(ITestOutputHelper output)
{
    // Debian 12 packages no python3-safetensors, so the script reads and writes the format itself
    // (8-byte little-endian header length, JSON header, raw little-endian C-order data).
    private const string Script = """
        import json, struct, sys, torch
        exported, official_path, back = sys.argv[1:4]
        DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "I64": torch.int64}
        with open(exported, "rb") as f:
            raw = f.read()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        header.pop("__metadata__", None)
        body = raw[8 + n:]
        ours = {k: torch.frombuffer(bytearray(body[v["data_offsets"][0]:v["data_offsets"][1]]), dtype=DTYPES[v["dtype"]]).reshape(v["shape"])
                for k, v in header.items()}
        official = torch.load(official_path, map_location="cpu")
        official = official.get("state_dict", official)
        missing, extra = sorted(set(official) - set(ours)), sorted(set(ours) - set(official))
        if missing or extra:
            sys.exit(f"names differ: missing {missing[:5]}, extra {extra[:5]}")
        for k, t in official.items():
            if ours[k].dtype != t.dtype or list(ours[k].shape) != list(t.shape) or not torch.equal(ours[k], t):
                sys.exit(f"{k}: {ours[k].dtype} {list(ours[k].shape)} vs official {t.dtype} {list(t.shape)}, equal values: {torch.equal(ours[k], t)}")
        names = {v: k for k, v in DTYPES.items()}
        entries, offset, blobs = {}, 0, []
        for k in reversed(list(official)):  # another order than ours: readers must not depend on it
            data = official[k].contiguous().numpy().tobytes()
            entries[k] = {"dtype": names[official[k].dtype], "shape": list(official[k].shape), "data_offsets": [offset, offset + len(data)]}
            offset += len(data)
            blobs.append(data)
        entries["__metadata__"] = {"written_by": "torch " + torch.__version__}
        text = json.dumps(entries).encode()
        text += b" " * (-len(text) % 8)
        with open(back, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
        print(f"{len(official)} tensors equal under the official names; written back by torch {torch.__version__}")
        """;

    public static IEnumerable<object[]> Cases() => HrnetCases.Names();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void OfficialWeightsGoToPyTorchAndBackUnderTheOfficialNames(string stem)
    {
        string pth = HrnetCases.File(stem, ".pth");
        string ioPath = HrnetCases.File(stem, "_io.safetensors");
        var config = HrnetConfig.FromOfficialJson(HrnetCases.File(stem, "_config.json"));
        string? python = PythonWithTorch();
        Skip.If(python is null, "no python3 with torch (Debian: apt-get install python3-torch): the PyTorch round trip is not run");

        string folder = Directory.CreateTempSubdirectory("pytorch-round-trip-").FullName;
        try
        {
            string exported = Path.Combine(folder, "ours.safetensors"), back = Path.Combine(folder, "from-pytorch.safetensors");
            using (var model = new HRNet("hrnet", config))
            {
                model.LoadOfficialCheckpoint(pth);
                Safetensors.Write(exported, model.state_dict());
            }

            var (exit, stdout, stderr) = DsaProcess.Finish(DsaProcess.StartTool(python!, null, "-c", Script, exported, pth, back), TimeSpan.FromMinutes(3));
            Assert.True(exit == 0, $"python3-torch refused our file: {stderr}{stdout}");
            output.WriteLine(stdout.Trim());

            using var io = Safetensors.Read(ioPath);
            using var fromPyTorch = Safetensors.Read(back);
            Assert.StartsWith("torch ", fromPyTorch.Metadata["written_by"]);
            using var fresh = new HRNet("hrnet", config);
            var report = StateDictLoader.Load(fresh, fromPyTorch.Tensors, strict: true);
            Assert.Empty(report.Missing);
            fresh.eval();
            using var _ = torch.no_grad();
            using var heatmaps = fresh.call(io["input"]);
            using var difference = (heatmaps - io["output"]).abs().max();
            using var scale = io["output"].abs().max();
            double error = difference.item<float>() / scale.item<float>();
            output.WriteLine($"{stem} after the round trip: max|d|/max|out| = {error:E2}");
            Assert.True(error < 1e-4, $"max|d|/max|out| = {error}");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>The first of python3 on PATH and Debian's /usr/bin/python3 that imports torch (a pyenv python on PATH often lacks it).</summary>
    private static string? PythonWithTorch()
    {
        foreach (var candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                if (DsaProcess.Finish(DsaProcess.StartTool(candidate, null, "-c", "import torch"), TimeSpan.FromMinutes(2)).Exit == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { } // not installed
        }
        return null;
    }
}
