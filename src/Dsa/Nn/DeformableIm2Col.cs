using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dsa.Nn;

/// <summary>
/// torchvision's deformable im2col and its two adjoints (torchvision/csrc/ops/cpu/deform_conv2d_kernel.cpp:
/// <c>deformable_im2col</c>, <c>deformable_col2im</c>, <c>deformable_col2im_coord</c>) for one float32 image,
/// on channels-last memory so that the channels read at one sampling point are contiguous and the inner loops
/// are SIMD (<see cref="Vector{T}"/>). Bilinear sampling, boundary and gradient rules are torchvision's, point by point.
/// </summary>
/// <remarks>
/// <para>Memory of one image (all row-major, float32):
/// image and image gradient [H, W, C]; offset [og*2K, Ho*Wo] (torchvision's channel layout: row shift of tap k of
/// offset group b at channel b*2K + 2k, column shift at b*2K + 2k + 1); mask [og*K, Ho*Wo]; columns and their
/// gradient [Ho*Wo, G, K, C/G]: the row of output position p holds, per weight group, the K taps of that group's
/// C/G channels, so that a weight laid out as [Cout, K, C/G] per group multiplies it as one matrix.</para>
/// <para>Tap k = (i, j) of output position (oh, ow) samples y = oh*sh - ph + i*dh + offset_y,
/// x = ow*sw - pw + j*dw + offset_x. Its value (torchvision's <c>bilinear_interpolate</c>) is zero unless
/// -1 &lt; y &lt; H and -1 &lt; x &lt; W; otherwise the four corners floor(y) + {0, 1} x floor(x) + {0, 1} are
/// weighted bilinearly and a corner outside the image reads zero. The offset gradient
/// (torchvision's <c>get_coordinate_weight</c>) differentiates the same four corners without the outer test.</para>
/// <para>Corners outside the image read a row of zeros and scatter into a per-worker sink row, so every sample
/// runs the same branch-free vector code: 512-bit vectors where the machine has them, else <see cref="Vector{T}"/>.</para>
/// </remarks>
internal sealed unsafe class DeformableIm2Col
{
    private readonly int channels, height, width, outWidth, kernelW, strideH, strideW, padH, padW, dilationH, dilationW;
    private readonly int offsetGroups, taps, positions, columnWidth, groupWidth;
    private readonly bool vector512;

    // The channels of offset group b, [b*C/og, (b+1)*C/og), cut where a weight group begins (every C/G channels),
    // since each weight group's columns are a block of their own: run r covers channels
    // [runChannel[r], runChannel[r] + runLength[r]) and starts at column runColumn[r] + k*C/G of tap k.
    private readonly int[] runChannel, runLength, runColumn;
    private readonly int[] firstRun; // [og + 1]: the runs of offset group b are firstRun[b] .. firstRun[b+1]-1

    /// <param name="g">The call's sizes.</param>
    /// <param name="vector512">Whether the loops use 512-bit vectors (default: where the machine accelerates them; the
    /// tests run both on machines that do).</param>
    public DeformableIm2Col(DeformConvGeometry g, bool? vector512 = null)
    {
        this.vector512 = vector512 ?? Vector512.IsHardwareAccelerated;
        channels = checked((int)g.InChannels);
        height = checked((int)g.Height);
        width = checked((int)g.Width);
        outWidth = checked((int)g.OutWidth);
        kernelW = checked((int)g.KernelW);
        strideH = checked((int)g.StrideH);
        strideW = checked((int)g.StrideW);
        padH = checked((int)g.PadH);
        padW = checked((int)g.PadW);
        dilationH = checked((int)g.DilationH);
        dilationW = checked((int)g.DilationW);
        offsetGroups = checked((int)g.OffsetGroups);
        taps = checked((int)g.Taps);
        positions = checked((int)g.Positions);
        columnWidth = checked(channels * taps);
        groupWidth = channels / checked((int)g.Groups);

        var runs = new List<(int Channel, int Length, int Column)>();
        firstRun = new int[offsetGroups + 1];
        int perOffsetGroup = channels / offsetGroups;
        for (int b = 0; b < offsetGroups; b++)
        {
            firstRun[b] = runs.Count;
            for (int c = b * perOffsetGroup, end = (b + 1) * perOffsetGroup; c < end;)
            {
                int group = c / groupWidth, local = c % groupWidth;
                int length = Math.Min(end, (group + 1) * groupWidth) - c;
                runs.Add((c, length, group * taps * groupWidth + local));
                c += length;
            }
        }
        firstRun[offsetGroups] = runs.Count;
        runChannel = runs.Select(r => r.Channel).ToArray();
        runLength = runs.Select(r => r.Length).ToArray();
        runColumn = runs.Select(r => r.Column).ToArray();
    }

    /// <summary>C * K: the length of one column row.</summary>
    public int ColumnWidth => columnWidth;

    /// <summary>
    /// Columns of output rows [rowStart, rowEnd): columns[p, group, k, c'] = mask * bilinear(image, y, x)
    /// (deformable_im2col; mask 1 when <paramref name="mask"/> is null).
    /// </summary>
    /// <param name="image">[H, W, C]</param>
    /// <param name="offset">[og*2K, Ho*Wo]</param>
    /// <param name="mask">[og*K, Ho*Wo] or null</param>
    /// <param name="columns">[(rowEnd - rowStart)*Wo, C*K]: the column rows of these output rows</param>
    /// <param name="zeros">[C] zeros, read for corners outside the image</param>
    public void Gather(float* image, float* offset, float* mask, float* columns, float* zeros, int rowStart, int rowEnd)
    {
        if (vector512)
            Gather<Lanes512>(image, offset, mask, columns, zeros, rowStart, rowEnd);
        else
            Gather<LanesN>(image, offset, mask, columns, zeros, rowStart, rowEnd);
    }

    /// <summary>
    /// The adjoints of <see cref="Gather"/> for output rows [rowStart, rowEnd), given the columns' gradient:
    /// adds mask * bilinear weight * gradient into <paramref name="gradImage"/> (deformable_col2im) and writes the
    /// offset and mask gradients of those rows (deformable_col2im_coord). Since it reads the same corners, it also
    /// writes the columns themselves (what <see cref="Gather"/> would), for the weight gradient.
    /// </summary>
    /// <param name="image">[H, W, C]</param>
    /// <param name="offset">[og*2K, Ho*Wo]</param>
    /// <param name="mask">[og*K, Ho*Wo] or null</param>
    /// <param name="gradColumns">[(rowEnd - rowStart)*Wo, C*K]: the gradient of these rows' columns</param>
    /// <param name="columns">[(rowEnd - rowStart)*Wo, C*K]: written with these rows' columns</param>
    /// <param name="gradImage">[H, W, C], accumulated into (owned by this worker); null when not wanted</param>
    /// <param name="gradOffset">[og*2K, Ho*Wo], written for these rows</param>
    /// <param name="gradMask">[og*K, Ho*Wo], written for these rows; null without a mask</param>
    /// <param name="zeros">[C] zeros, read for corners outside the image</param>
    /// <param name="sink">[C] this worker's scratch, written for corners outside the image</param>
    public void Scatter(float* image, float* offset, float* mask, float* gradColumns, float* columns, float* gradImage,
        float* gradOffset, float* gradMask, float* zeros, float* sink, int rowStart, int rowEnd)
    {
        if (vector512)
            Scatter<Lanes512>(image, offset, mask, gradColumns, columns, gradImage, gradOffset, gradMask, zeros, sink, rowStart, rowEnd);
        else
            Scatter<LanesN>(image, offset, mask, gradColumns, columns, gradImage, gradOffset, gradMask, zeros, sink, rowStart, rowEnd);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier
    private void Gather<TLanes>(float* image, float* offset, float* mask, float* columns, float* zeros, int rowStart, int rowEnd)
        where TLanes : struct, ILanes<TLanes>
    {
        for (int oh = rowStart; oh < rowEnd; oh++)
            for (int ow = 0; ow < outWidth; ow++)
            {
                int p = oh * outWidth + ow;
                float* row = columns + (long)(p - rowStart * outWidth) * columnWidth;
                for (int b = 0; b < offsetGroups; b++)
                    for (int k = 0; k < taps; k++)
                    {
                        long yAt = (long)(b * 2 * taps + 2 * k) * positions + p;
                        float y = oh * strideH - padH + k / kernelW * dilationH + offset[yAt];
                        float x = ow * strideW - padW + k % kernelW * dilationW + offset[yAt + positions];
                        float m = mask is null ? 1f : mask[(long)(b * taps + k) * positions + p];
                        var s = new Sample(y, x, height, width);
                        // Outside (-1, H) x (-1, W) bilinear_interpolate returns zero: all weights zero.
                        float w00 = s.Inside ? m * s.W00 : 0f, w01 = s.Inside ? m * s.W01 : 0f;
                        float w10 = s.Inside ? m * s.W10 : 0f, w11 = s.Inside ? m * s.W11 : 0f;
                        float* c00 = Corner(image, zeros, s.Corner00), c01 = Corner(image, zeros, s.Corner01);
                        float* c10 = Corner(image, zeros, s.Corner10), c11 = Corner(image, zeros, s.Corner11);
                        for (int r = firstRun[b]; r < firstRun[b + 1]; r++)
                        {
                            int c = runChannel[r];
                            Blend<TLanes>(row + runColumn[r] + k * groupWidth, c00 + c, c01 + c, c10 + c, c11 + c, w00, w01, w10, w11, runLength[r]);
                        }
                    }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Scatter<TLanes>(float* image, float* offset, float* mask, float* gradColumns, float* columns, float* gradImage,
        float* gradOffset, float* gradMask, float* zeros, float* sink, int rowStart, int rowEnd)
        where TLanes : struct, ILanes<TLanes>
    {
        for (int oh = rowStart; oh < rowEnd; oh++)
            for (int ow = 0; ow < outWidth; ow++)
            {
                int p = oh * outWidth + ow;
                long rowAt = (long)(p - rowStart * outWidth) * columnWidth;
                for (int b = 0; b < offsetGroups; b++)
                    for (int k = 0; k < taps; k++)
                    {
                        long yAt = (long)(b * 2 * taps + 2 * k) * positions + p, xAt = yAt + positions;
                        long maskAt = (long)(b * taps + k) * positions + p;
                        float y = oh * strideH - padH + k / kernelW * dilationH + offset[yAt];
                        float x = ow * strideW - padW + k % kernelW * dilationW + offset[xAt];
                        float m = mask is null ? 1f : mask[maskAt];
                        var s = new Sample(y, x, height, width);
                        // deformable_col2im adds mask * weight * gradient only where bilinear_interpolate reads the image
                        // (the columns likewise are zero elsewhere); a corner outside the image scatters into the sink.
                        float w00 = s.Inside ? m * s.W00 : 0f, w01 = s.Inside ? m * s.W01 : 0f;
                        float w10 = s.Inside ? m * s.W10 : 0f, w11 = s.Inside ? m * s.W11 : 0f;
                        bool spread = s.Inside && gradImage is not null;
                        float* g00 = spread ? Corner(gradImage, sink, s.Corner00) : sink, g01 = spread ? Corner(gradImage, sink, s.Corner01) : sink;
                        float* g10 = spread ? Corner(gradImage, sink, s.Corner10) : sink, g11 = spread ? Corner(gradImage, sink, s.Corner11) : sink;
                        float* c00 = Corner(image, zeros, s.Corner00), c01 = Corner(image, zeros, s.Corner01);
                        float* c10 = Corner(image, zeros, s.Corner10), c11 = Corner(image, zeros, s.Corner11);
                        float d00 = 0f, d01 = 0f, d10 = 0f, d11 = 0f; // sums over channels of gradient * corner value
                        for (int r = firstRun[b]; r < firstRun[b + 1]; r++)
                        {
                            int c = runChannel[r], column = runColumn[r] + k * groupWidth;
                            Spread<TLanes>(gradColumns + rowAt + column, columns + rowAt + column, c00 + c, c01 + c, c10 + c, c11 + c,
                                g00 + c, g01 + c, g10 + c, g11 + c, w00, w01, w10, w11, runLength[r], ref d00, ref d01, ref d10, ref d11);
                        }
                        // get_coordinate_weight differentiates the four corners without the outer test (a corner outside
                        // reads zero): d value / dy = lx (v11 - v01) + (1 - lx)(v10 - v00), d value / dx likewise.
                        gradOffset[yAt] = m * (s.Lx * (d11 - d01) + (1f - s.Lx) * (d10 - d00));
                        gradOffset[xAt] = m * (s.Ly * (d11 - d10) + (1f - s.Ly) * (d01 - d00));
                        if (gradMask is not null)
                            gradMask[maskAt] = s.Inside ? s.W00 * d00 + s.W01 * d01 + s.W10 * d10 + s.W11 * d11 : 0f;
                    }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float* Corner(float* image, float* outside, int pixel) => pixel < 0 ? outside : image + (long)pixel * channels;

    /// <summary>target[c] = w00 a[c] + w01 b[c] + w10 e[c] + w11 f[c] for c &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Blend<TLanes>(float* target, float* a, float* b, float* e, float* f, float w00, float w01, float w10, float w11, int length)
        where TLanes : struct, ILanes<TLanes>
    {
        int c = 0;
        if (length >= TLanes.Count)
        {
            TLanes v00 = TLanes.Broadcast(w00), v01 = TLanes.Broadcast(w01), v10 = TLanes.Broadcast(w10), v11 = TLanes.Broadcast(w11);
            for (; c <= length - TLanes.Count; c += TLanes.Count)
            {
                var sum = TLanes.Multiply(TLanes.Load(a + c), v00);
                sum = TLanes.MultiplyAdd(TLanes.Load(b + c), v01, sum);
                sum = TLanes.MultiplyAdd(TLanes.Load(e + c), v10, sum);
                sum = TLanes.MultiplyAdd(TLanes.Load(f + c), v11, sum);
                TLanes.Store(sum, target + c);
            }
        }
        for (; c < length; c++)
            target[c] = w00 * a[c] + w01 * b[c] + w10 * e[c] + w11 * f[c];
    }

    /// <summary>
    /// For c &lt; length: column[c] = the blend of the corners a, b, e, f with weights w..; q..[c] += w.. * gradient[c]
    /// (the corners' image gradients, or the sink); d.. += the sum of gradient[c] * corner value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spread<TLanes>(float* gradient, float* column, float* a, float* b, float* e, float* f, float* qa, float* qb, float* qe, float* qf,
        float w00, float w01, float w10, float w11, int length, ref float d00, ref float d01, ref float d10, ref float d11)
        where TLanes : struct, ILanes<TLanes>
    {
        int c = 0;
        if (length >= TLanes.Count)
        {
            TLanes v00 = TLanes.Broadcast(w00), v01 = TLanes.Broadcast(w01), v10 = TLanes.Broadcast(w10), v11 = TLanes.Broadcast(w11);
            TLanes s00 = default, s01 = default, s10 = default, s11 = default;
            for (; c <= length - TLanes.Count; c += TLanes.Count)
            {
                var g = TLanes.Load(gradient + c);
                var va = TLanes.Load(a + c);
                var vb = TLanes.Load(b + c);
                var ve = TLanes.Load(e + c);
                var vf = TLanes.Load(f + c);
                s00 = TLanes.MultiplyAdd(g, va, s00);
                s01 = TLanes.MultiplyAdd(g, vb, s01);
                s10 = TLanes.MultiplyAdd(g, ve, s10);
                s11 = TLanes.MultiplyAdd(g, vf, s11);
                var value = TLanes.Multiply(va, v00);
                value = TLanes.MultiplyAdd(vb, v01, value);
                value = TLanes.MultiplyAdd(ve, v10, value);
                value = TLanes.MultiplyAdd(vf, v11, value);
                TLanes.Store(value, column + c);
                TLanes.Store(TLanes.MultiplyAdd(g, v00, TLanes.Load(qa + c)), qa + c);
                TLanes.Store(TLanes.MultiplyAdd(g, v01, TLanes.Load(qb + c)), qb + c);
                TLanes.Store(TLanes.MultiplyAdd(g, v10, TLanes.Load(qe + c)), qe + c);
                TLanes.Store(TLanes.MultiplyAdd(g, v11, TLanes.Load(qf + c)), qf + c);
            }
            d00 += TLanes.Sum(s00);
            d01 += TLanes.Sum(s01);
            d10 += TLanes.Sum(s10);
            d11 += TLanes.Sum(s11);
        }
        for (; c < length; c++)
        {
            float g = gradient[c];
            d00 += g * a[c];
            d01 += g * b[c];
            d10 += g * e[c];
            d11 += g * f[c];
            column[c] = w00 * a[c] + w01 * b[c] + w10 * e[c] + w11 * f[c];
            qa[c] += w00 * g;
            qb[c] += w01 * g;
            qe[c] += w10 * g;
            qf[c] += w11 * g;
        }
    }

    /// <summary>The vector operations the sampling loops use, so that one loop serves 512-bit and machine-width vectors.</summary>
    private interface ILanes<TSelf> where TSelf : struct, ILanes<TSelf>
    {
        static abstract int Count { get; }
        static abstract TSelf Load(float* at);
        static abstract void Store(TSelf value, float* at);
        static abstract TSelf Broadcast(float value);
        static abstract TSelf Multiply(TSelf a, TSelf b);
        static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf addend);
        static abstract float Sum(TSelf value);
    }

    /// <summary>16 floats (AVX-512), used by default where <see cref="Vector512.IsHardwareAccelerated"/>.</summary>
    private readonly struct Lanes512(Vector512<float> value) : ILanes<Lanes512>
    {
        private readonly Vector512<float> value = value;
        public static int Count => Vector512<float>.Count;
        public static Lanes512 Load(float* at) => new(Vector512.Load(at));
        public static void Store(Lanes512 v, float* at) => v.value.Store(at);
        public static Lanes512 Broadcast(float x) => new(Vector512.Create(x));
        public static Lanes512 Multiply(Lanes512 a, Lanes512 b) => new(a.value * b.value);
        public static Lanes512 MultiplyAdd(Lanes512 a, Lanes512 b, Lanes512 addend) => new(Vector512.FusedMultiplyAdd(a.value, b.value, addend.value));
        public static float Sum(Lanes512 v) => Vector512.Sum(v.value);
    }

    /// <summary>The machine's <see cref="Vector{T}"/> width (8 floats with AVX2, 4 with NEON).</summary>
    private readonly struct LanesN(Vector<float> value) : ILanes<LanesN>
    {
        private readonly Vector<float> value = value;
        public static int Count => Vector<float>.Count;
        public static LanesN Load(float* at) => new(Vector.Load(at));
        public static void Store(LanesN v, float* at) => Vector.Store(v.value, at);
        public static LanesN Broadcast(float x) => new(new Vector<float>(x));
        public static LanesN Multiply(LanesN a, LanesN b) => new(a.value * b.value);
        public static LanesN MultiplyAdd(LanesN a, LanesN b, LanesN addend) => new(Vector.MultiplyAddEstimate(a.value, b.value, addend.value));
        public static float Sum(LanesN v) => Vector.Sum(v.value);
    }

    /// <summary>
    /// One sampling point: its four corners (pixel index y*W + x, or -1 outside the image), their bilinear weights
    /// and the fractional parts, as torchvision computes them.
    /// </summary>
    private readonly struct Sample
    {
        public readonly int Corner00, Corner01, Corner10, Corner11;
        public readonly float W00, W01, W10, W11, Ly, Lx;

        /// <summary>-1 &lt; y &lt; H and -1 &lt; x &lt; W: where bilinear_interpolate reads the image (false for NaN).</summary>
        public readonly bool Inside;

        public Sample(float y, float x, int height, int width)
        {
            Inside = y > -1f && y < height && x > -1f && x < width;
            // Beyond these bounds no corner is in the image (all read zero, weights and fractions stay zero); the test
            // also keeps the int conversion in range.
            if (!(y > -2f && y < height && x > -2f && x < width))
            {
                Corner00 = Corner01 = Corner10 = Corner11 = -1;
                return;
            }
            int y0 = (int)MathF.Floor(y), x0 = (int)MathF.Floor(x);
            Ly = y - y0;
            Lx = x - x0;
            float hy = 1f - Ly, hx = 1f - Lx;
            W00 = hy * hx;
            W01 = hy * Lx;
            W10 = Ly * hx;
            W11 = Ly * Lx;
            bool top = y0 >= 0, bottom = y0 >= -1 && y0 + 1 < height, left = x0 >= 0, right = x0 >= -1 && x0 + 1 < width;
            Corner00 = top && left ? y0 * width + x0 : -1;
            Corner01 = top && right ? y0 * width + x0 + 1 : -1;
            Corner10 = bottom && left ? (y0 + 1) * width + x0 : -1;
            Corner11 = bottom && right ? (y0 + 1) * width + x0 + 1 : -1;
        }
    }
}
