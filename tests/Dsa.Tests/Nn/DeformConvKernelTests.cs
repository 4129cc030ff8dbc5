using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

/// <summary>
/// The kernels under the im2col route with either vector width: a machine takes only one of them (512-bit where it
/// accelerates them), so on such a machine the other is checked here against it and against libtorch's GEMM.
/// </summary>
public unsafe class DeformConvKernelTests
{
    private static float* Data(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    [Theory]
    [InlineData(8, 48, 432, 432, false)]     // a band times the weight (forward): 8-row tiles, 48 columns
    [InlineData(35, 117, 9, 13, true)]       // odd everything: remainder rows, 16-wide and scalar column tails
    [InlineData(48, 432, 288, 6912, true)]   // the weight gradient: A is a slice of rows 6912 apart
    [InlineData(1, 1, 1, 1, false)]
    [InlineData(13, 20, 48, 50, true)]
    public void SgemmMatchesLibtorchWithEitherTile(int m, int n, int k, int lda, bool accumulate)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(m * 1000 + n);
        var a = torch.randn(m, lda);                                        // [m, lda]; A = its first k columns
        var b = torch.randn(k, n);                                          // [k, n]
        var start = torch.randn(m, n);                                      // [m, n]
        var expected = (accumulate ? start : torch.zeros(m, n)).addmm(a.narrow(1, 0, k), b); // [m, n]
        foreach (bool wide in Vector512.IsHardwareAccelerated ? new[] { false, true } : new[] { false })
        {
            var c = start.clone();
            Sgemm.Multiply(Data(a), lda, Data(b), n, Data(c), n, m, n, k, accumulate, wide);
            DeformConvParityTests.AssertClose(expected, c, $"{m}x{n}x{k}, 512-bit {wide}", 1e-5);
        }
    }

    [SkippableFact]
    public void SamplingLoopsAgreeAcrossVectorWidths()
    {
        Skip.IfNot(Vector512.IsHardwareAccelerated, "this machine runs only the machine-width loops, which DeformConvIm2ColTests check");
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(41);
        // 36 channels: two 16-wide vectors and a tail; groups 3 and offset groups 2 cut the channels into runs.
        const int C = 36, H = 9, W = 11, Og = 2, Taps = 9;
        var g = new DeformConvGeometry(1, C, H, W, 6, 3, 3, 1, 1, 1, 1, 1, 1, Groups: 3, OffsetGroups: Og, OutHeight: H, OutWidth: W);
        var image = torch.cat(new[] { torch.randn(H * W, C), torch.zeros(1, C) }); // [H*W + 1, C], the last pixel zeros
        var offset = (torch.rand(Og * 2 * Taps, H * W) * 2 - 1) * 4;        // [og*2K, Ho*Wo]
        var mask = torch.rand(Og * Taps, H * W);                            // [og*K, Ho*Wo]
        var gradColumns = torch.randn(H * W, C * Taps);                     // [Ho*Wo, C*K]

        Tensor[] Run(bool wide)
        {
            var kernel = new DeformableIm2Col(g, wide);
            var columns = torch.empty(H * W, C * Taps);                     // [Ho*Wo, C*K]
            var resampled = torch.empty(H * W, C * Taps);                   // [Ho*Wo, C*K]
            var gradImage = torch.zeros(H * W + 1, C);                      // [H*W + 1, C], the last pixel a sink
            var gradOffset = torch.empty(Og * 2 * Taps, H * W);             // [og*2K, Ho*Wo]
            var gradMask = torch.empty(Og * Taps, H * W);                   // [og*K, Ho*Wo]
            var table = torch.empty(DeformableIm2Col.TableSize(H * W));     // the sampling table's scratch
            kernel.Gather(Data(image), Data(offset), Data(mask), Data(columns), Data(table), 0, H);
            kernel.Scatter(Data(image), Data(offset), Data(mask), Data(gradColumns), Data(resampled), Data(gradImage),
                Data(gradOffset), Data(gradMask), Data(table), 0, H);
            return new[] { columns, resampled, gradImage.narrow(0, 0, H * W), gradOffset, gradMask };
        }

        var narrow = Run(false);
        var wide = Run(true);
        var names = new[] { "columns", "columns written by Scatter", "image gradient", "offset gradient", "mask gradient" };
        for (int i = 0; i < names.Length; i++)
            DeformConvParityTests.AssertClose(wide[i], narrow[i], names[i], 1e-5);
        Assert.True(narrow[0].equal(narrow[1]).all().item<bool>(), "Scatter's columns are Gather's");
    }
}
