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
/// image and image gradient [H*W + 1, C] (the extra pixel: see below); offset [og*2K, Ho*Wo] (torchvision's channel layout: row shift of tap k of
/// offset group b at channel b*2K + 2k, column shift at b*2K + 2k + 1); mask [og*K, Ho*Wo]; columns and their
/// gradient [Ho*Wo, G, K, C/G]: the row of output position p holds, per weight group, the K taps of that group's
/// C/G channels, so that a weight laid out as [Cout, K, C/G] per group multiplies it as one matrix.</para>
/// <para>Tap k = (i, j) of output position (oh, ow) samples y = oh*sh - ph + i*dh + offset_y,
/// x = ow*sw - pw + j*dw + offset_x. Its value (torchvision's <c>bilinear_interpolate</c>) is zero unless
/// -1 &lt; y &lt; H and -1 &lt; x &lt; W; otherwise the four corners floor(y) + {0, 1} x floor(x) + {0, 1} are
/// weighted bilinearly and a corner outside the image reads zero. The offset gradient
/// (torchvision's <c>get_coordinate_weight</c>) differentiates the same four corners without the outer test.</para>
/// <para>The sampling points are worked out first, for one tap of one offset group over all positions of a band at a
/// time and with <see cref="Vector{T}"/> (torchvision computes them per point in scalar code; done so here they cost
/// more than the channel loops): their four corners, bilinear weights, fractions and mask, in a small
/// <see cref="SampleTable"/>. The channel loops then read the table. A corner outside the image points at an extra
/// pixel after the image's H*W: zeros in the image buffer, a sink in the gradient buffer, so every point runs the same
/// branch-free vector code (512-bit vectors where the machine has them, else <see cref="Vector{T}"/>).</para>
/// </remarks>
internal sealed unsafe class DeformableIm2Col
{
    private readonly int channels, height, width, outWidth, offsetGroups, taps, positions, columnWidth, groupWidth;

    /// <summary>Element offset of the extra pixel after the image: zeros to read, a sink to scatter into.</summary>
    private readonly int outside;
    private readonly bool vector512;

    // The channels of offset group b, [b*C/og, (b+1)*C/og), cut where a weight group begins (every C/G channels),
    // since each weight group's columns are a block of their own: run r covers channels
    // [runChannel[r], runChannel[r] + runLength[r]) and starts at column runColumn[r] + k*C/G of tap k.
    private readonly int[] runChannel, runLength, runColumn;
    private readonly int[] firstRun; // [og + 1]: the runs of offset group b are firstRun[b] .. firstRun[b+1]-1

    // Tap k = (i, j) sits i*dh rows and j*dw columns from its window's corner (a table: no division per sample).
    private readonly int[] tapRow, tapColumn; // [K]

    // The window's corner of each output position, oh*sh - ph and ow*sw - pw, as floats (exact: small integers).
    private readonly float[] windowRow, windowColumn; // [Ho*Wo]

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
        int kernelW = checked((int)g.KernelW), dilationH = checked((int)g.DilationH), dilationW = checked((int)g.DilationW);
        tapRow = Enumerable.Range(0, taps).Select(k => k / kernelW * dilationH).ToArray();
        tapColumn = Enumerable.Range(0, taps).Select(k => k % kernelW * dilationW).ToArray();
        int strideH = checked((int)g.StrideH), strideW = checked((int)g.StrideW), padH = checked((int)g.PadH), padW = checked((int)g.PadW);
        windowRow = Enumerable.Range(0, positions).Select(p => (float)(p / outWidth * strideH - padH)).ToArray();
        windowColumn = Enumerable.Range(0, positions).Select(p => (float)(p % outWidth * strideW - padW)).ToArray();
        outside = checked(height * width * channels);
    }

    /// <summary>C * K: the length of one column row.</summary>
    public int ColumnWidth => columnWidth;

    /// <summary>Pixels of an image or image-gradient buffer: H*W and the extra one (zeros, or the sink).</summary>
    public long BufferPixels => (long)height * width + 1;

    /// <summary>Floats of a worker's <see cref="SampleTable"/> for bands of up to <paramref name="bandPositions"/> positions.</summary>
    public static long TableSize(int bandPositions) => SampleTable.Rows * (long)bandPositions;

    /// <summary>
    /// Columns of output rows [rowStart, rowEnd): columns[p, group, k, c'] = mask * bilinear(image, y, x)
    /// (deformable_im2col; mask 1 when <paramref name="mask"/> is null).
    /// </summary>
    /// <param name="image">[H*W + 1, C], the last pixel zeros</param>
    /// <param name="offset">[og*2K, Ho*Wo]</param>
    /// <param name="mask">[og*K, Ho*Wo] or null</param>
    /// <param name="columns">[(rowEnd - rowStart)*Wo, C*K]: the column rows of these output rows</param>
    /// <param name="table">this worker's scratch, <see cref="TableSize"/> floats</param>
    public void Gather(float* image, float* offset, float* mask, float* columns, float* table, int rowStart, int rowEnd)
    {
        if (vector512)
            Gather<Lanes512>(image, offset, mask, columns, table, rowStart, rowEnd);
        else
            Gather<LanesN>(image, offset, mask, columns, table, rowStart, rowEnd);
    }

    /// <summary>
    /// The adjoints of <see cref="Gather"/> for output rows [rowStart, rowEnd), given the columns' gradient:
    /// adds mask * bilinear weight * gradient into <paramref name="gradImage"/> (deformable_col2im) and writes the
    /// offset and mask gradients of those rows (deformable_col2im_coord). Since it reads the same corners, it also
    /// writes the columns themselves (what <see cref="Gather"/> would), for the weight gradient.
    /// </summary>
    /// <param name="image">[H*W + 1, C], the last pixel zeros</param>
    /// <param name="offset">[og*2K, Ho*Wo]</param>
    /// <param name="mask">[og*K, Ho*Wo] or null</param>
    /// <param name="gradColumns">[(rowEnd - rowStart)*Wo, C*K]: the gradient of these rows' columns</param>
    /// <param name="columns">[(rowEnd - rowStart)*Wo, C*K]: written with these rows' columns</param>
    /// <param name="gradImage">[H*W + 1, C], accumulated into (owned by this worker; the last pixel is a sink); null
    /// when not wanted</param>
    /// <param name="gradOffset">[og*2K, Ho*Wo], written for these rows</param>
    /// <param name="gradMask">[og*K, Ho*Wo], written for these rows; null without a mask</param>
    /// <param name="table">this worker's scratch, <see cref="TableSize"/> floats</param>
    public void Scatter(float* image, float* offset, float* mask, float* gradColumns, float* columns, float* gradImage,
        float* gradOffset, float* gradMask, float* table, int rowStart, int rowEnd)
    {
        if (vector512)
            Scatter<Lanes512>(image, offset, mask, gradColumns, columns, gradImage, gradOffset, gradMask, table, rowStart, rowEnd);
        else
            Scatter<LanesN>(image, offset, mask, gradColumns, columns, gradImage, gradOffset, gradMask, table, rowStart, rowEnd);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier
    private void Gather<TLanes>(float* image, float* offset, float* mask, float* columns, float* table, int rowStart, int rowEnd)
        where TLanes : struct, ILanes<TLanes>
    {
        int first = rowStart * outWidth, count = (rowEnd - rowStart) * outWidth;
        var t = new SampleTable(table, count);
        for (int b = 0; b < offsetGroups; b++)
            for (int k = 0; k < taps; k++)
            {
                Plan(b, k, offset, mask, first, count, t);
                for (int q = 0; q < count; q++)
                {
                    float m = t.Mask[q];
                    float w00 = m * t.W00[q], w01 = m * t.W01[q], w10 = m * t.W10[q], w11 = m * t.W11[q];
                    float* c00 = image + t.Value00[q], c01 = image + t.Value01[q], c10 = image + t.Value10[q], c11 = image + t.Value11[q];
                    float* row = columns + (long)q * columnWidth + k * groupWidth;
                    for (int r = firstRun[b]; r < firstRun[b + 1]; r++)
                    {
                        int c = runChannel[r];
                        Blend<TLanes>(row + runColumn[r], c00 + c, c01 + c, c10 + c, c11 + c, w00, w01, w10, w11, runLength[r]);
                    }
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Scatter<TLanes>(float* image, float* offset, float* mask, float* gradColumns, float* columns, float* gradImage,
        float* gradOffset, float* gradMask, float* table, int rowStart, int rowEnd)
        where TLanes : struct, ILanes<TLanes>
    {
        int first = rowStart * outWidth, count = (rowEnd - rowStart) * outWidth;
        var t = new SampleTable(table, count);
        for (int b = 0; b < offsetGroups; b++)
            for (int k = 0; k < taps; k++)
            {
                Plan(b, k, offset, mask, first, count, t);
                float* gradY = gradOffset + (long)(b * 2 * taps + 2 * k) * positions + first, gradX = gradY + positions;
                float* gradM = gradMask is null ? null : gradMask + (long)(b * taps + k) * positions + first;
                for (int q = 0; q < count; q++)
                {
                    float m = t.Mask[q];
                    float w00 = m * t.W00[q], w01 = m * t.W01[q], w10 = m * t.W10[q], w11 = m * t.W11[q];
                    float* c00 = image + t.Value00[q], c01 = image + t.Value01[q], c10 = image + t.Value10[q], c11 = image + t.Value11[q];
                    long at = (long)q * columnWidth + k * groupWidth;
                    float d00 = 0f, d01 = 0f, d10 = 0f, d11 = 0f; // sums over channels of gradient * corner value
                    for (int r = firstRun[b]; r < firstRun[b + 1]; r++)
                    {
                        int c = runChannel[r];
                        long column = at + runColumn[r];
                        if (gradImage is null)
                            Spread<TLanes, WithoutImageGradient>(gradColumns + column, columns + column, c00 + c, c01 + c, c10 + c, c11 + c,
                                null, null, null, null, w00, w01, w10, w11, runLength[r], ref d00, ref d01, ref d10, ref d11);
                        else
                            Spread<TLanes, WithImageGradient>(gradColumns + column, columns + column, c00 + c, c01 + c, c10 + c, c11 + c,
                                gradImage + t.Spread00[q] + c, gradImage + t.Spread01[q] + c, gradImage + t.Spread10[q] + c, gradImage + t.Spread11[q] + c,
                                w00, w01, w10, w11, runLength[r], ref d00, ref d01, ref d10, ref d11);
                    }
                    // get_coordinate_weight differentiates the four corners without the outer test (a corner outside
                    // reads zero): d value / dy = lx (v11 - v01) + (1 - lx)(v10 - v00), d value / dx likewise.
                    float ly = t.Ly[q], lx = t.Lx[q];
                    gradY[q] = m * (lx * (d11 - d01) + (1f - lx) * (d10 - d00));
                    gradX[q] = m * (ly * (d11 - d10) + (1f - ly) * (d01 - d00));
                    // The table's weights are zero where bilinear_interpolate returns zero.
                    if (gradM is not null) gradM[q] = t.W00[q] * d00 + t.W01[q] * d01 + t.W10[q] * d10 + t.W11[q] * d11;
                }
            }
    }

    /// <summary>
    /// Fills <paramref name="t"/> with the sampling points of tap k of offset group b at positions [first, first + count):
    /// whole vectors of positions with <see cref="Vector{T}"/>, the rest with <see cref="Sample"/>, by the same rules.
    /// </summary>
    private void Plan(int b, int k, float* offset, float* mask, int first, int count, SampleTable t)
    {
        float* offsetY = offset + (long)(b * 2 * taps + 2 * k) * positions + first, offsetX = offsetY + positions;
        float* masks = mask is null ? null : mask + (long)(b * taps + k) * positions + first;
        int q = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int lanes = Vector<float>.Count;
            var tapY = new Vector<float>(tapRow[k]);
            var tapX = new Vector<float>(tapColumn[k]);
            Vector<float> h = new(height), w = new(width), one = Vector<float>.One, minusOne = new(-1f), minusTwo = new(-2f), far = new(-3f);
            Vector<int> widthI = new(width), heightI = new(height), channelsI = new(channels), none = new(outside), minusOneI = new(-1);
            fixed (float* rows = windowRow, cols = windowColumn)
                for (; q <= count - lanes; q += lanes)
                {
                    // Window corner + tap first (exact integers), then the offset: the scalar rounding, once.
                    var y = Vector.Load(rows + first + q) + tapY + Vector.Load(offsetY + q);
                    var x = Vector.Load(cols + first + q) + tapX + Vector.Load(offsetX + q);
                    var inside = Vector.GreaterThan(y, minusOne) & Vector.LessThan(y, h) & Vector.GreaterThan(x, minusOne) & Vector.LessThan(x, w);
                    var near = Vector.GreaterThan(y, minusTwo) & Vector.LessThan(y, h) & Vector.GreaterThan(x, minusTwo) & Vector.LessThan(x, w);
                    // Not near (or NaN): a point whose corners are all outside and whose fractions are zero.
                    y = Vector.ConditionalSelect(near, y, far);
                    x = Vector.ConditionalSelect(near, x, far);
                    var floorY = Vector.Floor(y);
                    var floorX = Vector.Floor(x);
                    var y0 = Vector.ConvertToInt32(floorY);
                    var x0 = Vector.ConvertToInt32(floorX);
                    var ly = y - floorY;
                    var lx = x - floorX;
                    var hy = one - ly;
                    var hx = one - lx;
                    var top = Vector.GreaterThanOrEqual(y0, Vector<int>.Zero);
                    var bottom = Vector.GreaterThanOrEqual(y0, minusOneI) & Vector.LessThan(y0 + Vector<int>.One, heightI);
                    var left = Vector.GreaterThanOrEqual(x0, Vector<int>.Zero);
                    var right = Vector.GreaterThanOrEqual(x0, minusOneI) & Vector.LessThan(x0 + Vector<int>.One, widthI);
                    var at = (y0 * widthI + x0) * channelsI;
                    Vector<int> at01 = at + channelsI, at10 = at + widthI * channelsI, at11 = at10 + channelsI;
                    Vector.Store(Vector.ConditionalSelect(top & left, at, none), t.Value00 + q);
                    Vector.Store(Vector.ConditionalSelect(top & right, at01, none), t.Value01 + q);
                    Vector.Store(Vector.ConditionalSelect(bottom & left, at10, none), t.Value10 + q);
                    Vector.Store(Vector.ConditionalSelect(bottom & right, at11, none), t.Value11 + q);
                    Vector.Store(Vector.ConditionalSelect(inside & top & left, at, none), t.Spread00 + q);
                    Vector.Store(Vector.ConditionalSelect(inside & top & right, at01, none), t.Spread01 + q);
                    Vector.Store(Vector.ConditionalSelect(inside & bottom & left, at10, none), t.Spread10 + q);
                    Vector.Store(Vector.ConditionalSelect(inside & bottom & right, at11, none), t.Spread11 + q);
                    Vector.Store(Vector.ConditionalSelect(inside, hy * hx, Vector<float>.Zero), t.W00 + q);
                    Vector.Store(Vector.ConditionalSelect(inside, hy * lx, Vector<float>.Zero), t.W01 + q);
                    Vector.Store(Vector.ConditionalSelect(inside, ly * hx, Vector<float>.Zero), t.W10 + q);
                    Vector.Store(Vector.ConditionalSelect(inside, ly * lx, Vector<float>.Zero), t.W11 + q);
                    Vector.Store(ly, t.Ly + q);
                    Vector.Store(lx, t.Lx + q);
                    Vector.Store(masks is null ? one : Vector.Load(masks + q), t.Mask + q);
                }
        }
        for (; q < count; q++)
        {
            int p = first + q;
            var s = new Sample(windowRow[p] + tapRow[k] + offsetY[q], windowColumn[p] + tapColumn[k] + offsetX[q], height, width);
            t.Value00[q] = s.Corner00 < 0 ? outside : s.Corner00 * channels;
            t.Value01[q] = s.Corner01 < 0 ? outside : s.Corner01 * channels;
            t.Value10[q] = s.Corner10 < 0 ? outside : s.Corner10 * channels;
            t.Value11[q] = s.Corner11 < 0 ? outside : s.Corner11 * channels;
            t.Spread00[q] = s.Inside ? t.Value00[q] : outside;
            t.Spread01[q] = s.Inside ? t.Value01[q] : outside;
            t.Spread10[q] = s.Inside ? t.Value10[q] : outside;
            t.Spread11[q] = s.Inside ? t.Value11[q] : outside;
            t.W00[q] = s.Inside ? s.W00 : 0f;
            t.W01[q] = s.Inside ? s.W01 : 0f;
            t.W10[q] = s.Inside ? s.W10 : 0f;
            t.W11[q] = s.Inside ? s.W11 : 0f;
            t.Ly[q] = s.Ly;
            t.Lx[q] = s.Lx;
            t.Mask[q] = masks is null ? 1f : masks[q];
        }
    }

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
    /// For c &lt; length: column[c] = the blend of the corners a, b, e, f with weights w..; d.. += the sum of gradient[c] *
    /// corner value; and where <typeparamref name="TImage"/> wants the image gradient, q..[c] += w.. * gradient[c] (the
    /// corners' image gradients, or the sink). <typeparamref name="TImage"/> is a struct, so the JIT compiles one copy per
    /// choice with the test folded away: the inner loop carries no branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spread<TLanes, TImage>(float* gradient, float* column, float* a, float* b, float* e, float* f,
        float* qa, float* qb, float* qe, float* qf,
        float w00, float w01, float w10, float w11, int length, ref float d00, ref float d01, ref float d10, ref float d11)
        where TLanes : struct, ILanes<TLanes>
        where TImage : struct, IImageGradient
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
                if (TImage.Wanted)
                {
                    TLanes.Store(TLanes.MultiplyAdd(g, v00, TLanes.Load(qa + c)), qa + c);
                    TLanes.Store(TLanes.MultiplyAdd(g, v01, TLanes.Load(qb + c)), qb + c);
                    TLanes.Store(TLanes.MultiplyAdd(g, v10, TLanes.Load(qe + c)), qe + c);
                    TLanes.Store(TLanes.MultiplyAdd(g, v11, TLanes.Load(qf + c)), qf + c);
                }
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
            if (TImage.Wanted)
            {
                qa[c] += w00 * g;
                qb[c] += w01 * g;
                qe[c] += w10 * g;
                qf[c] += w11 * g;
            }
        }
    }

    /// <summary>Whether <see cref="Spread{TLanes, TImage}"/> also scatters the image gradient (the input may want none).</summary>
    private interface IImageGradient { static abstract bool Wanted { get; } }
    private readonly struct WithImageGradient : IImageGradient { public static bool Wanted => true; }
    private readonly struct WithoutImageGradient : IImageGradient { public static bool Wanted => false; }

    /// <summary>
    /// The sampling points of one tap at the positions of one band, as columns of a worker's scratch: per position the
    /// four corners' element offsets for reading values (<c>Value..</c>: the extra pixel where a corner is outside) and
    /// for scattering gradients (<c>Spread..</c>: also the extra pixel where bilinear_interpolate would read nothing),
    /// the bilinear weights (zero there too), the fractions and the mask.
    /// </summary>
    private readonly struct SampleTable
    {
        public const int Rows = 15;
        public readonly int* Value00, Value01, Value10, Value11, Spread00, Spread01, Spread10, Spread11;
        public readonly float* W00, W01, W10, W11, Ly, Lx, Mask;

        public SampleTable(float* scratch, int capacity)
        {
            int* ints = (int*)scratch;
            Value00 = ints; Value01 = ints + capacity; Value10 = ints + 2 * capacity; Value11 = ints + 3 * capacity;
            Spread00 = ints + 4 * capacity; Spread01 = ints + 5 * capacity; Spread10 = ints + 6 * capacity; Spread11 = ints + 7 * capacity;
            float* floats = scratch + 8 * capacity;
            W00 = floats; W01 = floats + capacity; W10 = floats + 2 * capacity; W11 = floats + 3 * capacity;
            Ly = floats + 4 * capacity; Lx = floats + 5 * capacity; Mask = floats + 6 * capacity;
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
            // Non-short-circuit & throughout: near the border these tests are coin flips, and branches would mispredict.
            Inside = (y > -1f) & (y < height) & (x > -1f) & (x < width);
            // Beyond these bounds no corner is in the image (all read zero, weights and fractions stay zero); the test
            // also keeps the int conversion in range.
            if (!((y > -2f) & (y < height) & (x > -2f) & (x < width)))
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
            bool top = y0 >= 0, bottom = (y0 >= -1) & (y0 + 1 < height), left = x0 >= 0, right = (x0 >= -1) & (x0 + 1 < width);
            int at = y0 * width + x0;
            Corner00 = top & left ? at : -1;
            Corner01 = top & right ? at + 1 : -1;
            Corner10 = bottom & left ? at + width : -1;
            Corner11 = bottom & right ? at + width + 1 : -1;
        }
    }
}
